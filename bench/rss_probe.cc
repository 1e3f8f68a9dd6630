// rss_probe: runs one storage operation in a fresh process and prints its
// peak RSS (getrusage ru_maxrss) as one JSON line, so that no operation's
// memory shows up in another's number.
//
//   rss_probe <op> <dir> [one_bytes many_count many_total_bytes]
//
// Ops (bench/storage_ops.cc): prepare (writes the bundles the read and
// validate ops use; run it first), baseline (nothing: the process's own
// footprint), write_one / write_many (BundleWriter as shipped, with fsync),
// read_one / read_many (Open + Lookup with CRC on the mmap path; the caller
// drops each tensor before the next, keeping the last), read_many_madvise
// (the same plus MADV_DONTNEED of each tensor's pages once dropped: a
// what-if, not library behaviour), read_one_copy / read_many_copy
// (zero_copy = false), validate_one / validate_many (check::Validate).
// Fields: max_rss, rss_anon_at_end / rss_file_at_end (RssAnon / RssFile
// before teardown), largest_tensor, data_bytes; all in bytes.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "bench/storage_ops.h"

int main(int argc, char** argv) {
  if (argc != 3 && argc != 6) {
    std::fprintf(stderr, "usage: rss_probe <op> <dir> [one_bytes many_count many_total_bytes]\n");
    return 2;
  }
  tfckpt::bench::Sizes sizes;
  if (argc == 6) {
    sizes.one_bytes = std::strtoull(argv[3], nullptr, 10);
    sizes.many_count = std::atoi(argv[4]);
    sizes.many_total_bytes = std::strtoull(argv[5], nullptr, 10);
  }
  const tfckpt::Status s = tfckpt::bench::RunProbe(argv[1], argv[2], sizes, std::cout);
  if (!s.ok()) {
    std::cerr << "rss_probe " << argv[1] << ": " << s << "\n";
    return 1;
  }
  return 0;
}
