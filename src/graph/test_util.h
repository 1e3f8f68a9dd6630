// Test helpers: building GraphDefs node by node, tensors from vectors,
// golden files from runfiles.
#ifndef TFCKPT_GRAPH_TEST_UTIL_H_
#define TFCKPT_GRAPH_TEST_UTIL_H_

#include <map>
#include <string>
#include <vector>

#include "proto/attr_value.pb.h"
#include "proto/graph.pb.h"
#include "src/graph/session.h"
#include "src/tensor/tensor.h"
#include "src/testing/runfiles.h"

namespace tfckpt::graph::testing {

using tensor::Tensor;
using tensor::TensorShape;

tensorflow::AttrValue AType(DataType dt);
tensorflow::AttrValue AInt(int64_t i);
tensorflow::AttrValue AFloat(float f);
tensorflow::AttrValue ABool(bool b);
tensorflow::AttrValue AStr(const std::string& s);
tensorflow::AttrValue AShape(const std::vector<int64_t>& dims);  // -1 unknown
tensorflow::AttrValue AUnknownShape();
tensorflow::AttrValue ATypes(const std::vector<DataType>& dts);
tensorflow::AttrValue ATensor(const Tensor& t);
tensorflow::AttrValue AFunc(const std::string& name);  // a function of the library

using Attrs = std::map<std::string, tensorflow::AttrValue>;

class GraphBuilder {
 public:
  // Adds a node; returns its name.
  std::string Op(const std::string& name, const std::string& op,
                 const std::vector<std::string>& inputs = {}, const Attrs& attrs = {});
  std::string Const(const std::string& name, const Tensor& value);
  std::string Placeholder(const std::string& name, DataType dtype);
  std::string Placeholder(const std::string& name, DataType dtype,
                          const std::vector<int64_t>& shape);
  // A binary op with attr T.
  std::string Binary(const std::string& name, const std::string& op, const std::string& x,
                     const std::string& y, DataType dtype);
  tensorflow::NodeDef* Last() { return def_.mutable_node(def_.node_size() - 1); }
  tensorflow::GraphDef& def() { return def_; }

 private:
  tensorflow::GraphDef def_;
};

template <typename T>
Tensor MakeTensor(DataType dtype, const std::vector<int64_t>& dims, const std::vector<T>& values) {
  return Tensor::FromVector<T>(dtype, *TensorShape::Make(dims), values);
}
inline Tensor F(const std::vector<int64_t>& dims, const std::vector<float>& v) {
  return MakeTensor<float>(tensorflow::DT_FLOAT, dims, v);
}
inline Tensor D(const std::vector<int64_t>& dims, const std::vector<double>& v) {
  return MakeTensor<double>(tensorflow::DT_DOUBLE, dims, v);
}
inline Tensor I32(const std::vector<int64_t>& dims, const std::vector<int32_t>& v) {
  return MakeTensor<int32_t>(tensorflow::DT_INT32, dims, v);
}
inline Tensor I64(const std::vector<int64_t>& dims, const std::vector<int64_t>& v) {
  return MakeTensor<int64_t>(tensorflow::DT_INT64, dims, v);
}
Tensor B(const std::vector<int64_t>& dims, const std::vector<bool>& v);
Tensor S(const std::vector<int64_t>& dims, const std::vector<std::string>& v);
inline Tensor Scalar(float v) { return F({}, {v}); }

template <typename T>
std::vector<T> Values(const Tensor& t) {
  if constexpr (std::is_same_v<T, std::string>) {
    return t.strings();
  } else {
    const T* p = t.flat<T>();
    return std::vector<T>(p, p + t.num_elements());
  }
}
std::vector<bool> BoolValues(const Tensor& t);

// Runs `fetches` of a fresh session over `def` (no feeds unless given).
StatusOr<std::vector<Tensor>> RunGraph(const tensorflow::GraphDef& def,
                                       const std::vector<std::string>& fetches,
                                       const std::vector<Session::Feed>& feeds = {},
                                       const std::vector<std::string>& targets = {});

// RunGraph over ServingOpRegistry() (the serving and layer ops). `init`
// targets, if any, run first in a Run of their own, as a loader runs its init
// op: what they assign is session state the fetches' Run reads.
StatusOr<std::vector<Tensor>> RunServingGraph(const tensorflow::GraphDef& def,
                                              const std::vector<std::string>& fetches,
                                              const std::vector<Session::Feed>& feeds = {},
                                              const std::vector<std::string>& init = {});

// One node of `op` over Const inputs in0, in1, ... named "op"; returns
// output `index`. Kernel errors keep TF's "\n\t [[{{node op}}]]" suffix.
StatusOr<Tensor> RunOp(const std::string& op, const std::vector<Tensor>& inputs,
                       const Attrs& attrs, int index = 0);
// RunOp over ServingOpRegistry().
StatusOr<Tensor> RunServingOp(const std::string& op, const std::vector<Tensor>& inputs,
                              const Attrs& attrs, int index = 0);
// The message without the node suffix.
std::string Message(const Status& s);

// $TEST_SRCDIR/tfckpt/<rel>: the one shared Runfile.
using ::tfckpt::testing::Runfile;  // src/testing/runfiles.h

}  // namespace tfckpt::graph::testing

#endif  // TFCKPT_GRAPH_TEST_UTIL_H_
