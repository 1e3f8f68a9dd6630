// AttrValues made from plain values: the one set of builders for what sets
// NodeDef attrs by hand -- the TF1 graph builder (train/ops.h re-exports
// them) and the engine's tests (test_util.h).
#ifndef TFCKPT_GRAPH_ATTR_VALUE_H_
#define TFCKPT_GRAPH_ATTR_VALUE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "proto/attr_value.pb.h"
#include "proto/tensor_shape.pb.h"
#include "src/tensor/dtype.h"

namespace tfckpt::graph {

tensorflow::AttrValue TypeAttr(tensor::DataType dt);
tensorflow::AttrValue BoolAttr(bool b);
tensorflow::AttrValue IntAttr(int64_t i);
tensorflow::AttrValue FloatAttr(float f);
tensorflow::AttrValue StringAttr(const std::string& s);
tensorflow::AttrValue ShapeAttr(const tensorflow::TensorShapeProto& s);
tensorflow::AttrValue TypeListAttr(const std::vector<tensor::DataType>& types);

}  // namespace tfckpt::graph

#endif  // TFCKPT_GRAPH_ATTR_VALUE_H_
