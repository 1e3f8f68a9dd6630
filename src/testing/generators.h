// RapidCheck generators for checkpoint property tests (docs/TESTING.md):
// dtypes, shapes, adversarial values, tensor names, partitions of a shape
// into slices, whole checkpoints; plus the reference helpers the properties
// compare against and TFCKPT_PROPERTY, which runs a property with a fixed
// seed and a modest case count unless RC_PARAMS says otherwise.
//
// Values are filled from a generated seed rather than element by element:
// a checkpoint of a million floats stays cheap to generate, and shrinking
// works on what matters for a counterexample (names, dtype, shape, slices,
// how many tensors), not on individual elements.
//
// Test-only (testonly = True in BUILD).
#ifndef TFCKPT_TESTING_GENERATORS_H_
#define TFCKPT_TESTING_GENERATORS_H_

#include <cstdint>
#include <cstdlib>
#include <ostream>
#include <string>
#include <vector>

// gtest must come before rapidcheck/gtest.h.
#include "gtest/gtest.h"
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "src/io/status.h"
#include "src/tensor/dtype.h"
#include "src/tensor/shape.h"
#include "src/tensor/tensor.h"
#include "src/tensor/tensor_slice.h"

namespace tfckpt::testing {

// ---- running properties ---------------------------------------------------

// The seed every property uses when RC_PARAMS is not set, so that
// `bazel test //...` is deterministic.
inline constexpr uint64_t kDefaultSeed = 20240611;

// The parameters a property runs with: RapidCheck's configuration as given
// by RC_PARAMS (seed, max_success, max_size, ...) when that variable is set;
// otherwise seed kDefaultSeed. Without max_success in RC_PARAMS,
// `default_cases` successful cases (a fifth of them in ASan builds).
rc::detail::TestParams PropertyParams(int default_cases);

// Runs `testable` as the current gtest test (like RC_GTEST_PROP, whose
// reproduce= strings it accepts), with PropertyParams(default_cases).
template <typename Testable>
void RunProperty(Testable&& testable, int default_cases) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata metadata;
  metadata.id = std::string(info->test_case_name()) + "/" + info->name();
  metadata.description = info->name();
  const auto result = rc::detail::checkTestable(std::forward<Testable>(testable), metadata,
                                                PropertyParams(default_cases));
  std::ostringstream ss;
  rc::detail::printResultMessage(result, ss);
  if (result.template is<rc::detail::SuccessResult>()) {
    // "OK, passed N tests" (+ the RC_TAG/RC_CLASSIFY distribution), for the
    // case counts recorded in docs/TESTING.md.
    std::cout << metadata.id << ": " << ss.str() << std::endl;
  } else {
    FAIL() << ss.str() << std::endl;
  }
}

// RC_GTEST_PROP with a per-property default case count (the count used in
// `bazel test //...`; RC_PARAMS="max_success=N" overrides it).
#define TFCKPT_PROPERTY(Suite, Name, default_cases)                          \
  void tfckpt_property_##Suite##_##Name();                                   \
  TEST(Suite, Name) {                                                        \
    ::tfckpt::testing::RunProperty(&tfckpt_property_##Suite##_##Name,        \
                                   (default_cases));                         \
  }                                                                          \
  void tfckpt_property_##Suite##_##Name()

// RC_ASSERT for a Status or StatusOr: fails the case with `expr` and the
// error.
inline Status AsStatus(const Status& s) { return s; }
template <typename T>
Status AsStatus(const StatusOr<T>& s) {
  return s.status();
}
#define RC_ASSERT_OK(expr)                                                        \
  do {                                                                            \
    const ::tfckpt::Status rc_status_ = ::tfckpt::testing::AsStatus(expr);        \
    if (!rc_status_.ok()) RC_FAIL(#expr ": " + rc_status_.ToString());            \
  } while (0)

// ---- dtypes -----------------------------------------------------------------

// Every dtype a V2 bundle can hold (saveable, not variant), in enum order.
const std::vector<tensor::DataType>& BundleDtypes();
// Every dtype the V1 writer accepts (checkpoint_v1::CheckWritableDtype).
const std::vector<tensor::DataType>& V1Dtypes();
// One of `dtypes`, uniformly, but DT_STRING (if listed) one time in five.
rc::Gen<tensor::DataType> GenDtype(const std::vector<tensor::DataType>& dtypes);

// ---- shapes -----------------------------------------------------------------

struct ShapeLimits {
  int max_rank = 8;
  // Elements of the shape (the memory budget).
  int64_t max_elements = 4096;
  // Product of the non-zero dims, so a zero-sized shape such as
  // [0, 100000] is possible but loops over the other dims stay bounded.
  int64_t max_nonzero_product = 1 << 16;
};

// Scalars, zero-sized dims (anywhere), ones, small and occasionally large
// dims, ranks 0..max_rank; num_elements() <= max_elements.
rc::Gen<tensor::TensorShape> GenShape(const ShapeLimits& limits = {});

// ---- values -----------------------------------------------------------------

struct ValueLimits {
  // Probability (percent) that a string tensor with elements holds one
  // string of 1-4 MiB.
  int huge_string_percent = 3;
};

// Deterministic contents for (dtype, shape) from `seed`. `special_percent`
// of the elements are drawn from the dtype's special values: for floating
// types (float, double, half, bfloat16, complex components) ±0, ±inf,
// quiet and signalling NaNs with random payloads and sign, the smallest and
// largest denormals, the smallest normal, ±max, ±1; for integers 0, ±1,
// min, max; the rest are random bit patterns. Bools are 0/1. Strings mix
// empty strings, NUL bytes, invalid UTF-8 (overlong, lone continuation
// bytes, surrogates, truncated sequences, 0xfe/0xff), valid multi-byte
// UTF-8 and random bytes; `huge_string_length` > 0 makes element
// (seed % n) that long.
tensor::Tensor FillTensor(tensor::DataType dtype, const tensor::TensorShape& shape,
                          uint64_t seed, int special_percent,
                          uint64_t huge_string_length = 0);

rc::Gen<tensor::Tensor> GenTensor(tensor::DataType dtype, const tensor::TensorShape& shape,
                                  const ValueLimits& limits = {});

// ---- names ------------------------------------------------------------------

// One tensor name: ASCII, '/', ':', '.', '-', '_', digits, multi-byte
// UTF-8, interior NUL bytes; never empty and never starting with NUL (the
// reserved header key and slice-key space); occasionally very long
// (1k-30k bytes). With `binary`, also bytes that are not UTF-8 (0x80,
// 0xfe, 0xff: V2 keys are bytes); without, always valid UTF-8 (V1 stores
// names in proto3 `string` fields, which must be).
rc::Gen<std::string> GenTensorName(bool binary = false);

// `n` distinct names: independent names, or names sharing a long common
// prefix (up to 40 KiB, so ten of them fill more than one 256 KiB index
// block and every restart interval holds long shared keys), or a hierarchy
// where names are prefixes of each other ("a", "a/b", "a/b:0", ...).
rc::Gen<std::vector<std::string>> GenTensorNames(int n, bool binary = false);

// ---- slices -----------------------------------------------------------------

// A partition of `shape` into at most `max_parts` disjoint slices whose
// union is the whole shape, by repeated splitting of a random part along a
// random dim. Extents covering a whole dim are written either as "full"
// (-) or as the explicit "0,d"; zero-sized dims are always "full".
rc::Gen<std::vector<tensor::TensorSlice>> GenPartition(const tensor::TensorShape& shape,
                                                       int max_parts = 8);

// Any valid region of `shape` (each dim full or [start, start+len), len>0).
rc::Gen<tensor::TensorSlice> GenSubSlice(const tensor::TensorShape& shape);

// ---- checkpoints ------------------------------------------------------------

struct TensorSpec {
  std::string name;
  tensor::Tensor value;                     // the whole tensor
  std::vector<tensor::TensorSlice> parts;   // non-empty: written as these slices
};

struct CheckpointLimits {
  std::vector<tensor::DataType> dtypes = BundleDtypes();
  int max_tensors = 10;
  ShapeLimits shape;
  // Bytes of one numeric tensor (the element budget is this / dtype size,
  // capped by shape.max_elements).
  uint64_t max_tensor_bytes = 256 << 10;
  ValueLimits values;
  // Percent of tensors (with a splittable shape) written as a partition.
  int partitioned_percent = 30;
  int max_parts = 8;
  int min_tensors = 1;
  // Names may hold non-UTF-8 bytes (GenTensorName); false for V1.
  bool binary_names = true;
};

// Distinct names, each with a tensor and maybe a partition.
rc::Gen<std::vector<TensorSpec>> GenCheckpoint(const CheckpointLimits& limits = {});

// One tensor always written as a partition of at most `max_parts` slices:
// a dtype of `dtypes`, a shape with a dim >= 2 (so that it splits) of at
// most 2^15 elements and about 1 MiB, a name as GenTensorName(binary_name).
rc::Gen<TensorSpec> GenPartitionedTensor(const std::vector<tensor::DataType>& dtypes,
                                         bool binary_name, int max_parts = 24);

// ---- faults -----------------------------------------------------------------

// Which of `total` mutating operations (io::FaultInjectionEnv) fails;
// `total` means none. Half the time uniform, half the time among the last
// 40: a save's appends (one per string element...) vastly outnumber the
// renames, deletes and syncs at its end, where the crash-safety logic is.
rc::Gen<int64_t> GenFaultPoint(int64_t total);

// ---- reference helpers ------------------------------------------------------

// The region `slice` of `whole`, computed element by element (independent
// of the library's slice copying). `slice` must fit whole's shape.
tensor::Tensor ReferenceRegion(const tensor::Tensor& whole, const tensor::TensorSlice& slice);

// "" if a and b are bitwise equal, else a short description of the first
// difference (dtype, shape, first differing element).
std::string TensorDiff(const tensor::Tensor& a, const tensor::Tensor& b);

// A printable, bounded rendering of a name (escapes, truncation).
std::string ShowName(const std::string& name);

}  // namespace tfckpt::testing

// Counterexample printing (found by argument-dependent lookup).
namespace tfckpt::tensor {
void showValue(const Tensor& t, std::ostream& os);
void showValue(const TensorShape& s, std::ostream& os);
void showValue(const TensorSlice& s, std::ostream& os);
}  // namespace tfckpt::tensor
namespace tfckpt::testing {
void showValue(const TensorSpec& t, std::ostream& os);
}  // namespace tfckpt::testing

#endif  // TFCKPT_TESTING_GENERATORS_H_
