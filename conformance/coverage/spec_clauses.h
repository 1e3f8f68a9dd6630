// The numbered clauses of the specification (docs/spec/*.md), parsed from
// their headers `**ID** (LEVEL, ROLE)` (docs/spec/README.md "Clauses"), and
// the clause IDs other text refers to.
#ifndef TFCKPT_CONFORMANCE_COVERAGE_SPEC_CLAUSES_H_
#define TFCKPT_CONFORMANCE_COVERAGE_SPEC_CLAUSES_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "src/io/env.h"
#include "src/io/status.h"

namespace tfckpt::coverage {

struct Clause {
  std::string id;     // "TABLE-4.2"
  std::string level;  // MUST, MUST NOT, SHOULD, SHOULD NOT, MAY
  std::string role;   // file, writer, reader
  std::string page;   // "sstable.md"
  std::string not_testable;  // the reason after "*Not testable:", or ""
  bool unverified = false;   // says "*Unverified:"
  bool Must() const { return level == "MUST" || level == "MUST NOT"; }
};

struct Spec {
  std::vector<Clause> clauses;  // page order (README.md first), then text order
  std::map<std::string, size_t> index;  // id -> position in `clauses`
  std::set<std::string> prefixes;       // "TABLE", "BUNDLE", ...
  // Malformed clause headers, duplicate IDs, a page mixing prefixes.
  std::vector<std::string> errors;
};

// The pages of a spec directory: README.md first, then every other *.md in
// name order, except `generated` (the coverage table itself).
StatusOr<std::vector<std::string>> SpecPages(io::Env* env, const std::string& spec_dir,
                                             const std::string& generated);

// Parses the clauses of `pages` (names relative to `spec_dir`).
StatusOr<Spec> ReadSpec(io::Env* env, const std::string& spec_dir,
                        const std::vector<std::string>& pages);

// "<file>: <id>" for every clause ID in `text` (with a known prefix) that
// the spec does not define.
std::vector<std::string> DanglingReferences(const Spec& spec, const std::string& file,
                                            const std::string& text);

}  // namespace tfckpt::coverage

#endif  // TFCKPT_CONFORMANCE_COVERAGE_SPEC_CLAUSES_H_
