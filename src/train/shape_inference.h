// Static output shapes of the ops graphs are built from, as TF's C++ shape
// functions compute them: the `_output_shapes` attr export_meta_graph writes
// (as_graph_def(add_shapes=True)) and the shapes get_variable and the Saver
// look at. Ops without a shape function here get unknown shapes
// (unknown_rank), which is also what TF gives when it cannot tell.
#ifndef TFCKPT_TRAIN_SHAPE_INFERENCE_H_
#define TFCKPT_TRAIN_SHAPE_INFERENCE_H_

#include <vector>

#include "proto/node_def.pb.h"
#include "proto/tensor_shape.pb.h"

namespace tfckpt::train {

class Graph;

// One shape per output of `node` (whose inputs must already be in `g`).
std::vector<tensorflow::TensorShapeProto> InferOutputShapes(const Graph& g,
                                                            const tensorflow::NodeDef& node,
                                                            int num_outputs);

// Shape constructors.
tensorflow::TensorShapeProto UnknownShape();
tensorflow::TensorShapeProto ShapeOf(const std::vector<int64_t>& dims);  // -1 unknown
bool IsFullyDefined(const tensorflow::TensorShapeProto& s);
// Python's TensorShape.is_compatible_with.
bool ShapesCompatible(const tensorflow::TensorShapeProto& a, const tensorflow::TensorShapeProto& b);

}  // namespace tfckpt::train

#endif  // TFCKPT_TRAIN_SHAPE_INFERENCE_H_
