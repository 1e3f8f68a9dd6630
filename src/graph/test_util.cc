#include "src/graph/test_util.h"

#include <cstdlib>

#include "src/graph/attr_value.h"
#include "src/graph/serving_ops.h"
#include "src/tensor/tensor_proto.h"

namespace tfckpt::graph::testing {

tensorflow::AttrValue AType(DataType dt) { return TypeAttr(dt); }
tensorflow::AttrValue AInt(int64_t i) { return IntAttr(i); }
tensorflow::AttrValue AFloat(float f) { return FloatAttr(f); }
tensorflow::AttrValue ABool(bool b) { return BoolAttr(b); }
tensorflow::AttrValue AStr(const std::string& s) { return StringAttr(s); }
tensorflow::AttrValue AShape(const std::vector<int64_t>& dims) {
  tensorflow::AttrValue v;
  auto* shape = v.mutable_shape();
  for (int64_t d : dims) shape->add_dim()->set_size(d);
  return v;
}
tensorflow::AttrValue AUnknownShape() {
  tensorflow::AttrValue v;
  v.mutable_shape()->set_unknown_rank(true);
  return v;
}
// Not TypeListAttr, which leaves an empty list unset: here `list {}` is set
// even when empty, as the tests expect of an empty type list.
tensorflow::AttrValue ATypes(const std::vector<DataType>& dts) {
  tensorflow::AttrValue v;
  auto* list = v.mutable_list();
  for (DataType dt : dts) list->add_type(dt);
  return v;
}
tensorflow::AttrValue ATensor(const Tensor& t) {
  tensorflow::AttrValue v;
  if (!tensor::TensorToProto(t, v.mutable_tensor()).ok()) std::abort();
  return v;
}

tensorflow::AttrValue AFunc(const std::string& name) {
  tensorflow::AttrValue v;
  v.mutable_func()->set_name(name);
  return v;
}

std::string GraphBuilder::Op(const std::string& name, const std::string& op,
                             const std::vector<std::string>& inputs, const Attrs& attrs) {
  tensorflow::NodeDef* n = def_.add_node();
  n->set_name(name);
  n->set_op(op);
  for (const std::string& in : inputs) n->add_input(in);
  for (const auto& [k, v] : attrs) (*n->mutable_attr())[k] = v;
  return name;
}

std::string GraphBuilder::Const(const std::string& name, const Tensor& value) {
  return Op(name, "Const", {}, {{"dtype", AType(value.dtype())}, {"value", ATensor(value)}});
}

std::string GraphBuilder::Placeholder(const std::string& name, DataType dtype) {
  return Op(name, "Placeholder", {}, {{"dtype", AType(dtype)}});
}

std::string GraphBuilder::Placeholder(const std::string& name, DataType dtype,
                                      const std::vector<int64_t>& shape) {
  return Op(name, "Placeholder", {}, {{"dtype", AType(dtype)}, {"shape", AShape(shape)}});
}

std::string GraphBuilder::Binary(const std::string& name, const std::string& op,
                                 const std::string& x, const std::string& y, DataType dtype) {
  return Op(name, op, {x, y}, {{"T", AType(dtype)}});
}

Tensor B(const std::vector<int64_t>& dims, const std::vector<bool>& v) {
  Tensor t = *Tensor::Allocate(tensorflow::DT_BOOL, *TensorShape::Make(dims));
  for (size_t i = 0; i < v.size() && static_cast<int64_t>(i) < t.num_elements(); ++i) {
    t.mutable_flat<bool>()[i] = v[i];
  }
  return t;
}

Tensor S(const std::vector<int64_t>& dims, const std::vector<std::string>& v) {
  return Tensor::FromStrings(*TensorShape::Make(dims), v);
}

std::vector<bool> BoolValues(const Tensor& t) {
  std::vector<bool> out;
  for (int64_t i = 0; i < t.num_elements(); ++i) out.push_back(t.flat<bool>()[i]);
  return out;
}

StatusOr<std::vector<Tensor>> RunGraph(const tensorflow::GraphDef& def,
                                       const std::vector<std::string>& fetches,
                                       const std::vector<Session::Feed>& feeds,
                                       const std::vector<std::string>& targets) {
  TFCKPT_ASSIGN_OR_RETURN(auto session, Session::Create(def));
  return session->Run(feeds, fetches, targets);
}

StatusOr<std::vector<Tensor>> RunServingGraph(const tensorflow::GraphDef& def,
                                              const std::vector<std::string>& fetches,
                                              const std::vector<Session::Feed>& feeds,
                                              const std::vector<std::string>& init) {
  SessionOptions options;
  options.graph.registry = &ServingOpRegistry();
  TFCKPT_ASSIGN_OR_RETURN(auto session, Session::Create(def, options));
  if (!init.empty()) TFCKPT_RETURN_IF_ERROR(session->Run({}, {}, init).status());
  return session->Run(feeds, fetches);
}

namespace {

// The graph of RunOp and RunServingOp.
tensorflow::GraphDef OpGraph(const std::string& op, const std::vector<Tensor>& inputs,
                             const Attrs& attrs) {
  GraphBuilder b;
  std::vector<std::string> names;
  for (size_t i = 0; i < inputs.size(); ++i) names.push_back(b.Const(StrCat("in", i), inputs[i]));
  b.Op("op", op, names, attrs);
  return b.def();
}

}  // namespace

StatusOr<Tensor> RunOp(const std::string& op, const std::vector<Tensor>& inputs,
                       const Attrs& attrs, int index) {
  TFCKPT_ASSIGN_OR_RETURN(std::vector<Tensor> out,
                          RunGraph(OpGraph(op, inputs, attrs), {StrCat("op:", index)}));
  return out[0];
}

StatusOr<Tensor> RunServingOp(const std::string& op, const std::vector<Tensor>& inputs,
                              const Attrs& attrs, int index) {
  TFCKPT_ASSIGN_OR_RETURN(std::vector<Tensor> out,
                          RunServingGraph(OpGraph(op, inputs, attrs), {StrCat("op:", index)}));
  return out[0];
}

std::string Message(const Status& s) {
  const size_t at = s.message().find("\n\t [[{{node ");
  return at == std::string::npos ? s.message() : s.message().substr(0, at);
}

}  // namespace tfckpt::graph::testing
