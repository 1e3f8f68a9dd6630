// Hostile checkpoints for the hostile-cost benchmark (docs/PERFORMANCE.md
// "Hostile files"): small files that claim a lot (2^20 shards, huge shapes
// and sizes, entries that all claim the same bytes, partitioned tensors of
// many slices in V2 and V1, one huge restart-less index block), and a real
// checkpoint of the same order of size for comparison. Every file is made
// by the library's writers (BundleWriter, TensorSliceWriter, TableBuilder
// re-encoding the records of a valid index), never by a second codec.
#ifndef TFCKPT_BENCH_HOSTILE_FILES_H_
#define TFCKPT_BENCH_HOSTILE_FILES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "src/io/status.h"

namespace tfckpt::bench {

struct HostileSizes {
  uint64_t real_bytes = 64 << 20;     // the real checkpoint (10 float tensors)
  int shared_range_entries = 256;     // entries claiming one tensor's bytes
  uint64_t shared_range_bytes = 4 << 20;  // ... of this size
  int slices = 4096;                  // slices of the partitioned tensors
  int block_entries = 100000;         // entries in the one restart-less block
};

// Tiny sizes for the smoke test (every case, milliseconds each).
HostileSizes TinyHostileSizes();

struct HostileFile {
  std::string name;   // "huge_shards", ...
  std::string what;   // one line for the report
  std::string path;   // what to validate (a V2 prefix or a V1 file)
  uint64_t bytes_on_disk = 0;  // every file of the case
  // Whether validation must find errors: the files that claim what is not
  // there do; the others are valid files that are merely expensive-looking
  // (and the real checkpoint).
  bool expect_defects = false;
};

// Writes every case under `dir` (created; existing cases are overwritten).
StatusOr<std::vector<HostileFile>> WriteHostileFiles(const std::string& dir,
                                                     const HostileSizes& sizes);

}  // namespace tfckpt::bench

#endif  // TFCKPT_BENCH_HOSTILE_FILES_H_
