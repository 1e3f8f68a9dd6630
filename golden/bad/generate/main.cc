// Regenerates golden/bad/ (see generate.h, golden/bad/README.md).
//
//   bazel run //golden/bad/generate                       # into the source tree
//   generate <golden/tf-2.21 dir> <output dir>            # anywhere
#include <cstdlib>
#include <iostream>

#include "golden/bad/generate/generate.h"

int main(int argc, char** argv) {
  std::string golden, out;
  if (argc == 3) {
    golden = argv[1];
    out = argv[2];
  } else if (argc == 1 && std::getenv("BUILD_WORKSPACE_DIRECTORY") != nullptr) {
    const std::string ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
    golden = ws + "/golden/tf-2.21";
    out = ws + "/golden/bad";
  } else {
    std::cerr << "usage: generate <golden/tf-2.21 dir> <output dir>   (or: bazel run "
                 "//golden/bad/generate)\n";
    return 2;
  }
  auto cases = tfckpt::badcorpus::GenerateAll(golden, out);
  if (!cases.ok()) {
    std::cerr << "generate: " << cases.status().ToString() << "\n";
    return 1;
  }
  std::cout << "generate: " << cases->size() << " cases in " << out << "\n";
  return 0;
}
