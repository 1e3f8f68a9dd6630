// bazel run //conformance/coverage:write_coverage
// Rewrites docs/spec/coverage.md from the clauses of docs/spec/*.md and the
// conformance suite built from golden/; prints every traceability problem
// (exit 1 if there is one; the table is written anyway).
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "conformance/coverage/coverage.h"
#include "src/io/atomic_file.h"
#include "src/io/env.h"

int main() {
  using namespace tfckpt;
  const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  const std::string root = ws != nullptr ? ws : ".";
  const std::string spec_dir = root + "/docs/spec";
  std::string work = (std::filesystem::temp_directory_path() / "write_coverage.XXXXXX").string();
  if (mkdtemp(work.data()) == nullptr) {
    std::cerr << "write_coverage: cannot create a scratch directory under /tmp\n";
    return 2;
  }
  io::Env* env = io::Env::Default();
  auto analysis = coverage::Analyze(env, spec_dir, root + "/golden", work);
  std::filesystem::remove_all(work);
  if (!analysis.ok()) {
    std::cerr << "write_coverage: " << analysis.status().ToString() << "\n";
    return 2;
  }
  const auto& [spec, cov] = *analysis;
  const std::string out = spec_dir + "/" + coverage::kGeneratedPage;
  Status s = io::WriteFileAtomically(env, out, coverage::RenderTable(spec, cov));
  if (!s.ok()) {
    std::cerr << "write_coverage: " << s.ToString() << "\n";
    return 2;
  }
  for (const std::string& e : spec.errors) std::cerr << "spec: " << e << "\n";
  for (const std::string& p : cov.problems) std::cerr << "coverage: " << p << "\n";
  std::cout << "wrote " << out << ": " << spec.clauses.size() << " clauses, " << cov.num_cases
            << " cases, " << spec.errors.size() + cov.problems.size() << " problems\n";
  return spec.errors.empty() && cov.problems.empty() ? 0 : 1;
}
