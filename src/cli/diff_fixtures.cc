// Writes the checkpoints cli_test.sh diffs: `<dir>/a`, `<dir>/b` (every kind
// of difference `tfckpt diff` reports, and equal-but-not-bitwise values),
// and `<dir>/a_big_endian` (a's tensors in a big-endian bundle, with `part`
// partitioned) which must diff as identical to a.
//   diff_fixtures DIR
//   diff_fixtures --big DIR   (also `<dir>/big`: 80 MiB of floats in 10
//                              tensors, for trying validate's progress bar)
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <string>

#include "src/bundle/bundle_writer.h"
#include "src/io/env.h"
#include "src/tensor/tensor.h"

namespace tfckpt {
namespace {

using tensor::Tensor;
using tensor::TensorShape;

Tensor F(const TensorShape& s, std::vector<float> v) {
  return Tensor::FromVector(tensorflow::DT_FLOAT, s, v);
}

Status WriteA(io::Env* env, const std::string& prefix, bool big_endian) {
  bundle::BundleWriterOptions options;
  options.big_endian = big_endian;
  bundle::BundleWriter w(env, prefix, options);
  const float inf = std::numeric_limits<float>::infinity();
  TFCKPT_RETURN_IF_ERROR(w.Add("same", F({3}, {1, 2, 3})));
  TFCKPT_RETURN_IF_ERROR(w.Add("nan_zero_inf", F({3}, {std::nanf("1"), -0.0f, inf})));
  TFCKPT_RETURN_IF_ERROR(w.Add("close", Tensor::FromVector(tensorflow::DT_DOUBLE, {2, 2},
                                                           std::vector<double>{1, 2, 3, 4})));
  TFCKPT_RETURN_IF_ERROR(w.Add("dtype_mismatch", F({2}, {1, 2})));
  TFCKPT_RETURN_IF_ERROR(w.Add("shape_mismatch", F({2, 3}, {1, 2, 3, 4, 5, 6})));
  TFCKPT_RETURN_IF_ERROR(w.Add("str", Tensor::FromStrings({2}, {"a", "b"})));
  TFCKPT_RETURN_IF_ERROR(w.Add("u64", Tensor::FromVector(tensorflow::DT_UINT64, {2},
                                                         std::vector<uint64_t>{0, UINT64_MAX})));
  TFCKPT_RETURN_IF_ERROR(w.Add("c64", Tensor::FromVector(tensorflow::DT_COMPLEX64, {1},
                                                         std::vector<float>{1, 2})));
  TFCKPT_RETURN_IF_ERROR(w.Add("only_a", F({}, {7})));
  const TensorShape full{4, 2};
  if (big_endian) {
    for (int64_t start : {0, 2}) {
      auto slice = tensor::TensorSlice::Parse(StrCat(start, ",2:-"));
      if (!slice.ok()) return slice.status();
      const float s = static_cast<float>(start * 2);
      TFCKPT_RETURN_IF_ERROR(w.AddSlice("part", full, *slice, F({2, 2}, {s, s + 1, s + 2, s + 3})));
    }
  } else {
    TFCKPT_RETURN_IF_ERROR(w.Add("part", F(full, {0, 1, 2, 3, 4, 5, 6, 7})));
  }
  return w.Finish();
}

Status WriteB(io::Env* env, const std::string& prefix) {
  bundle::BundleWriter w(env, prefix);
  const float inf = std::numeric_limits<float>::infinity();
  TFCKPT_RETURN_IF_ERROR(w.Add("same", F({3}, {1, 2, 3})));
  TFCKPT_RETURN_IF_ERROR(w.Add("nan_zero_inf", F({3}, {std::nanf("2"), 0.0f, inf})));
  TFCKPT_RETURN_IF_ERROR(w.Add("close", Tensor::FromVector(tensorflow::DT_DOUBLE, {2, 2},
                                                           std::vector<double>{1, 2.5, 3, 4.25})));
  TFCKPT_RETURN_IF_ERROR(w.Add("dtype_mismatch", Tensor::FromVector(tensorflow::DT_INT32, {2},
                                                                    std::vector<int32_t>{1, 2})));
  TFCKPT_RETURN_IF_ERROR(w.Add("shape_mismatch", F({3, 2}, {1, 2, 3, 4, 5, 6})));
  TFCKPT_RETURN_IF_ERROR(w.Add("str", Tensor::FromStrings({2}, {"a", "c"})));
  TFCKPT_RETURN_IF_ERROR(w.Add("u64", Tensor::FromVector(tensorflow::DT_UINT64, {2},
                                                         std::vector<uint64_t>{0, UINT64_MAX - 1})));
  TFCKPT_RETURN_IF_ERROR(w.Add("c64", Tensor::FromVector(tensorflow::DT_COMPLEX64, {1},
                                                         std::vector<float>{1, 2.5})));
  TFCKPT_RETURN_IF_ERROR(w.Add("only_b", F({}, {8})));
  TFCKPT_RETURN_IF_ERROR(w.Add("part", F({4, 2}, {0, 1, 2, 3, 4, 5, 6, 7})));
  return w.Finish();
}

}  // namespace
}  // namespace tfckpt

int main(int argc, char** argv) {
  using namespace tfckpt;
  const bool big = argc == 3 && std::string(argv[1]) == "--big";
  if (argc != 2 && !big) {
    std::cerr << "usage: diff_fixtures [--big] DIR\n";
    return 2;
  }
  io::Env* env = io::Env::Default();
  const std::string dir = argv[argc - 1];
  if (big) {
    bundle::BundleWriter w(env, io::JoinPath(dir, "big"));
    for (int i = 0; i < 10; ++i) {
      auto t = Tensor::Allocate(tensorflow::DT_FLOAT, {2 << 20});
      if (!t.ok()) return 1;
      w.Add(StrCat("t", i), *t).IgnoreError();
    }
    if (Status s = w.Finish(); !s.ok()) {
      std::cerr << "diff_fixtures: " << s << "\n";
      return 1;
    }
  }
  for (Status s : {WriteA(env, io::JoinPath(dir, "a"), false),
                   WriteA(env, io::JoinPath(dir, "a_big_endian"), true),
                   WriteB(env, io::JoinPath(dir, "b"))}) {
    if (!s.ok()) {
      std::cerr << "diff_fixtures: " << s << "\n";
      return 1;
    }
  }
  return 0;
}
