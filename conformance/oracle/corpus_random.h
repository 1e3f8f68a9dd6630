// Random bundles for the oracle tier: the property tests' generators
// (src/testing/generators.h) drawn with fixed seeds, so that TensorFlow
// reads checkpoints nobody hand-picked: random dtypes, shapes (scalars,
// zero-sized dims, rank up to 8), adversarial values, names with '/', ':',
// NULs, multi-byte UTF-8 and 30 KB lengths, partitioned tensors (AddSlice)
// whose slices may land in different shards, sharded saves (2-4 writers +
// MergeBundles), big-endian, aligned and snappy-indexed bundles.
//
// Each case is an ordinary "v2" case of expected.json (corpus.h), named
// random_00, random_01, ...; its tensors are recorded from the generated
// values, its "restores" hold up to three regions (GenSubSlice) of
// non-string tensors computed with ReferenceRegion (element by element,
// not the library's slice copy).
//
// Two refusals of TF 2.21 that the fixed cases pin are not generated
// (README.md, "What TensorFlow 2.21.0 does with it"): partitioned or
// region-restored string tensors, one-byte float8/int4/int2/float4 dtypes
// in big-endian bundles. Partitioned tensors and regions of the dtypes
// TF's BundleReader::GetSliceValue cannot copy (half, uint16/32/64,
// qint16, quint16, float8, int2...) are generated, and the case's
// "tf_refuses" list pins TF's "Dtype <t> not supported" for exactly those
// checks. Names are valid UTF-8 (TF's Python reader decodes keys as
// UTF-8). Values of the sub-byte dtypes are kept in range (sign-extended),
// as in the dtypes_extended case.
#ifndef TFCKPT_CONFORMANCE_ORACLE_CORPUS_RANDOM_H_
#define TFCKPT_CONFORMANCE_ORACLE_CORPUS_RANDOM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "src/io/env.h"
#include "src/io/status.h"

namespace tfckpt::conformance {

struct RandomCorpusOptions {
  int cases = 20;
  // Case i is drawn from rc::Random(seed + i).
  uint64_t seed = 20260522;
};

// Writes the random cases under <root>/random_NN/ and returns their
// expected.json records.
StatusOr<std::vector<nlohmann::json>> WriteRandomCases(io::Env* env, const std::string& root,
                                                       const RandomCorpusOptions& options = {});

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_ORACLE_CORPUS_RANDOM_H_
