// The docs/spec/ clauses each broken file of golden/bad/ violates, written
// to EXPECTED.json as "clauses" (the conformance cases built from a bad file
// cite them; docs/spec/coverage.md tabulates them).
#ifndef TFCKPT_GOLDEN_BAD_GENERATE_CLAUSES_H_
#define TFCKPT_GOLDEN_BAD_GENERATE_CLAUSES_H_

#include <string>
#include <vector>

namespace tfckpt::badcorpus {

// The clauses of case `name`; for a case not listed by name, those of its
// expected defect codes (`expect`, DefectCodeName()s), so that a new bad
// file is traced through its codes until it is given precise clauses.
std::vector<std::string> BadCaseClauses(const std::string& name,
                                        const std::vector<std::string>& expect);

}  // namespace tfckpt::badcorpus

#endif  // TFCKPT_GOLDEN_BAD_GENERATE_CLAUSES_H_
