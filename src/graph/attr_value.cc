#include "src/graph/attr_value.h"

namespace tfckpt::graph {

tensorflow::AttrValue TypeAttr(tensor::DataType dt) {
  tensorflow::AttrValue v;
  v.set_type(dt);
  return v;
}

tensorflow::AttrValue BoolAttr(bool b) {
  tensorflow::AttrValue v;
  v.set_b(b);
  return v;
}

tensorflow::AttrValue IntAttr(int64_t i) {
  tensorflow::AttrValue v;
  v.set_i(i);
  return v;
}

tensorflow::AttrValue FloatAttr(float f) {
  tensorflow::AttrValue v;
  v.set_f(f);
  return v;
}

tensorflow::AttrValue StringAttr(const std::string& s) {
  tensorflow::AttrValue v;
  v.set_s(s);
  return v;
}

tensorflow::AttrValue ShapeAttr(const tensorflow::TensorShapeProto& s) {
  tensorflow::AttrValue v;
  *v.mutable_shape() = s;
  return v;
}

tensorflow::AttrValue TypeListAttr(const std::vector<tensor::DataType>& types) {
  tensorflow::AttrValue v;
  for (tensor::DataType t : types) v.mutable_list()->add_type(t);
  return v;
}

}  // namespace tfckpt::graph
