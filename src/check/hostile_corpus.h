// A hostile-input corpus: deterministic mutations of every region of V1 and
// V2 checkpoints written by the library's own writers (BundleWriter,
// TensorSliceWriter, TableBuilder), for hostile_corpus_test (ASan + UBSan
// in CI) and anyone who wants the files (`hostile_corpus_main DIR`).
//
// Regions: each table block's contents and its 5-byte trailer (data,
// metaindex and index blocks of the .index and of V1 files), the footer,
// each tensor's bytes in a data file, and (re-encoded through TableBuilder,
// so the block checksums stay valid) the bundle header and every entry,
// mutated field by field with hostile values and byte by byte.
// Mutations: a bit flip, a byte set to a random value, a run of bytes
// zeroed, a byte inserted, the file cut inside the region.
//
// A case is `checksummed` when the bytes it changes are covered by a CRC
// (block contents and trailers, tensor bytes) or it cuts a file short:
// such a case must never validate OK.
#ifndef TFCKPT_CHECK_HOSTILE_CORPUS_H_
#define TFCKPT_CHECK_HOSTILE_CORPUS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tfckpt::check {

struct HostileCase {
  std::string name;    // "<base>/<region>/<mutation>", unique, a valid path
  std::string region;  // "index_block", "block_trailer", "footer", "tensor_data",
                       // "header", "entry", "v1_block", "v1_trailer", "v1_footer"
  bool checksummed = false;
  // Files of the case: name relative to the case's directory -> bytes.
  std::map<std::string, std::string> files;
  std::string validate;  // relative path to validate
};

// Every case, in a fixed order; the same bytes on every run and machine
// (the mutations draw from std::mt19937_64 seeded per case).
std::vector<HostileCase> HostileCorpus();

}  // namespace tfckpt::check

#endif  // TFCKPT_CHECK_HOSTILE_CORPUS_H_
