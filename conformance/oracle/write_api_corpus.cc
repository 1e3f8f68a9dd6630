// write_api_corpus <out_dir>: what tfckpt's TF1 API writes, one directory
// per case with expected.json (api_corpus.h), run by TensorFlow in
// tf_runs_tfckpt_api.py.
#include <iostream>

#include "conformance/oracle/api_corpus.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: write_api_corpus <out_dir>\n";
    return 2;
  }
  auto names = tfckpt::conformance::WriteApiCorpus(argv[1]);
  if (!names.ok()) {
    std::cerr << "write_api_corpus: " << names.status().ToString() << "\n";
    return 2;
  }
  std::cout << "write_api_corpus: " << names->size() << " cases in " << argv[1] << "\n";
  return 0;
}
