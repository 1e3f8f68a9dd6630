// read_compare: reads a checkpoint with tfckpt and compares every tensor
// with a JSON of expected values (written by TensorFlow in the oracle tier:
// conformance/oracle/tf_writes_random.py).
//
//   read_compare <prefix> <expected.json>
//
// expected.json: {"format": "V2" | "V1",
//                 "tensors": [<tensor record>],   // every key of the checkpoint
//                 "restores": [{"key", "shape_and_slice", "expected": <tensor record>}]}
// Tensor records follow golden/MANIFEST.json. Prints one line per check and
// "read_compare: N ok, M mismatched"; exit 0 when all match, 1 on any
// mismatch, 2 on usage / unreadable JSON.
#include <fstream>
#include <iostream>

#include "conformance/oracle/compare.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: read_compare <prefix> <expected.json>\n";
    return 2;
  }
  nlohmann::json doc;
  try {
    std::ifstream f(argv[2]);
    doc = nlohmann::json::parse(f);
  } catch (const std::exception& e) {
    std::cerr << "read_compare: cannot parse " << argv[2] << ": " << e.what() << "\n";
    return 2;
  }
  tfckpt::conformance::CompareReport r;
  try {
    r = tfckpt::conformance::CompareCheckpoint(argv[1], doc);
  } catch (const std::exception& e) {  // malformed expectations (missing fields)
    std::cerr << "read_compare: bad expectations in " << argv[2] << ": " << e.what() << "\n";
    return 2;
  }
  for (const auto& line : r.lines) std::cout << line << "\n";
  std::cout << "read_compare: " << r.ok << " ok, " << r.mismatches.size() << " mismatched\n";
  return r.mismatches.empty() ? 0 : 1;
}
