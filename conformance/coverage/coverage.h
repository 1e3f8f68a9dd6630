// Traceability between the specification and the conformance suite: which
// cases cite which clause, what is wrong with the citations, and the
// generated table docs/spec/coverage.md.
#ifndef TFCKPT_CONFORMANCE_COVERAGE_COVERAGE_H_
#define TFCKPT_CONFORMANCE_COVERAGE_COVERAGE_H_

#include <map>
#include <string>
#include <vector>

#include "conformance/coverage/spec_clauses.h"
#include "conformance/suite.h"

namespace tfckpt::coverage {

struct Coverage {
  std::map<std::string, std::vector<std::string>> cases;  // clause id -> case names
  size_t num_cases = 0;
  // Each a line naming the clause or case: a case citing no clause or an
  // undefined one; a MUST clause with no case and no "Not testable" reason;
  // a clause called not testable that a case tests.
  std::vector<std::string> problems;
};

Coverage Compute(const Spec& spec, const std::vector<conformance::TestCase>& suite);

// The markdown of docs/spec/coverage.md (deterministic).
std::string RenderTable(const Spec& spec, const Coverage& coverage);

// Builds the suite from `golden_dir` (write cases need a scratch `work_dir`)
// and computes its coverage of the clauses in `spec_dir` (except
// `kGeneratedPage`). Errors: unreadable spec or goldens.
inline constexpr char kGeneratedPage[] = "coverage.md";
StatusOr<std::pair<Spec, Coverage>> Analyze(io::Env* env, const std::string& spec_dir,
                                            const std::string& golden_dir,
                                            const std::string& work_dir);

}  // namespace tfckpt::coverage

#endif  // TFCKPT_CONFORMANCE_COVERAGE_COVERAGE_H_
