// RapidCheck generators for the train::Saver properties
// (src/train/saver_property_test.cc, docs/TESTING.md section 4): sets of
// variables with adversarial values, checkpoint keys, rename maps
// (Saver's dict var_list) and subsets (partial restores).
//
// Scope programs, EMA cases and graphs live in graph_generators.h (one
// concept per file pair).
//
// Test-only (testonly = True in BUILD).
#ifndef TFCKPT_TESTING_VARIABLE_GENERATORS_H_
#define TFCKPT_TESTING_VARIABLE_GENERATORS_H_

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "src/testing/generators.h"

namespace tfckpt::testing {

// The dtypes a train::Variable can hold in these properties: those of a V2
// bundle whose values a graph Const can carry (tensor::IsProtoCodableDataType:
// the initial value is a Const), i.e. BundleDtypes() without int2, uint2
// and float4_e2m1fn.
const std::vector<tensor::DataType>& VariableDtypes();

// A variable op name: 1-3 segments joined by '/', each [A-Za-z][A-Za-z0-9_]{0,7}
// (TF's valid op-name alphabet, minus the '.', '-' and '>' the graph
// builder accepts only in some positions).
rc::Gen<std::string> GenVariableName();

struct VariableSpec {
  std::string name;      // requested op name (the graph may uniquify it)
  tensor::Tensor value;  // initial value (dtype and shape of the variable)
};

struct VariableSetLimits {
  int min_variables = 1;
  int max_variables = 8;
  ShapeLimits shape{/*max_rank=*/4, /*max_elements=*/256, /*max_nonzero_product=*/1 << 12};
};

// Variables with names distinct even ignoring case (TF's unique_name
// compares lowercased names), random dtypes (VariableDtypes()), shapes and
// adversarial values (FillTensor: NaN payloads, -0, denormals, NUL bytes,
// invalid UTF-8...). No multi-MiB strings.
rc::Gen<std::vector<VariableSpec>> GenVariableSet(const VariableSetLimits& limits = {});

// The same variables (names, dtypes, shapes) with other values: what a
// fresh graph holds before a restore. Every element differs from `vars`'
// bitwise when the dtype has more than one value (bools are flipped,
// strings get a suffix, numbers have their low byte's bits inverted), so
// a restore that skips a variable cannot go unnoticed.
std::vector<VariableSpec> OtherValues(const std::vector<VariableSpec>& vars);

// A rename map for `n` variables: `keys[i]` is the checkpoint key of
// variable i (distinct, non-empty, never starting with NUL; GenTensorNames
// without non-UTF-8 bytes: '/', ':', NULs, multi-byte UTF-8, long names);
// `order` is a permutation of 0..n-1, the order in which a restoring graph
// creates its target variables; `target_names` are the targets' names
// (GenVariableName, distinct ignoring case).
struct RenameMap {
  std::vector<std::string> keys;
  std::vector<size_t> order;
  std::vector<std::string> target_names;
};
rc::Gen<RenameMap> GenRenameMap(size_t n);

// A non-empty subset of 0..n-1 (n > 0), as sorted indices.
rc::Gen<std::vector<size_t>> GenSubset(size_t n);

// A checkpoint key that is none of `keys` (same alphabet as GenRenameMap's).
rc::Gen<std::string> GenAbsentKey(const std::vector<std::string>& keys);

}  // namespace tfckpt::testing

namespace tfckpt::testing {
void showValue(const VariableSpec& v, std::ostream& os);
void showValue(const RenameMap& m, std::ostream& os);
}  // namespace tfckpt::testing

#endif  // TFCKPT_TESTING_VARIABLE_GENERATORS_H_
