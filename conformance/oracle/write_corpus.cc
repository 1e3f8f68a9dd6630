// write_corpus <out_dir>: the tfckpt-written corpus of the oracle tier
// (corpus.h), read back by tf_reads_tfckpt.py.
#include <iostream>

#include "conformance/oracle/corpus.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: write_corpus <out_dir>\n";
    return 2;
  }
  auto n = tfckpt::conformance::WriteCorpus(argv[1]);
  if (!n.ok()) {
    std::cerr << "write_corpus: " << n.status().ToString() << "\n";
    return 2;
  }
  std::cout << "write_corpus: " << *n << " cases in " << argv[1] << "\n";
  return 0;
}
