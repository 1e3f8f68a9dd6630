// Ops that serving-time graphs (SavedModels, session bundles, TF2 exports)
// need beyond OpRegistry::Global(): parsing serialized tf.Example protos,
// lookup tables, Conv2D, StridedSlice, and calls into the GraphDef's function
// library.
//
// They live in their own registries rather than in Global() because Global()
// is pinned op by op (op_registry_test) and other tests use e.g.
// ParseExample as *the* example of an unregistered op. A serving registry
// holds every op of Global()'s families plus these:
//
//   ServingOpRegistry()              no function library: a call fails with
//                                    NotFound naming the function;
//   NewServingOpRegistry(library)    function calls run the FunctionDefs of
//                                    `library` (a GraphDef's library).
//
// Pass one as GraphOptions::registry (SessionOptions::graph.registry); the
// registry must outlive every Graph / Session built with it.
//
// | family | ops |
// |---|---|
// | parsing (kernels_parse_example.cc) | ParseExample, ParseExampleV2: dense (fixed and variable length), sparse and ragged float/int64/string features |
// | lookup (kernels_lookup.cc) | HashTableV2, InitializeTableFromTextFileV2, LookupTableFindV2, LookupTableImportV2, LookupTableSizeV2 |
// | conv (kernels_conv.cc) | Conv2D (NHWC/NCHW, SAME/VALID/EXPLICIT, strides, dilations) |
// | slice (kernels_strided_slice.cc) | StridedSlice (every mask) |
// | function (kernels_function.cc) | StatefulPartitionedCall, PartitionedCall |
// | layers: activation (kernels_activation.cc) | Elu, Selu, Softplus, Softsign, Relu6, LeakyRelu, Exp, Erfc, Rsqrt, Square, SquaredDifference, Less, StopGradient |
// | layers: pool (kernels_pool.cc) | MaxPool, AvgPool, Max, Min |
// | layers: shape (kernels_shape.cc) | ExpandDims, Squeeze, Range, GatherV2, ResourceGather |
// | layers: norm (kernels_norm.cc) | FusedBatchNormV3 (inference), SparseSoftmaxCrossEntropyWithLogits |
// | conv (kernels_conv.cc) | DepthwiseConv2dNative |
// | layers: volume (kernels_volume.cc) | Conv3D, MaxPool3D |
// | layers: sequence (kernels_sequence.cc) | Transpose, Split, LogicalAnd, Prod |
// | layers: list (kernels_list.cc) | TensorListReserve, TensorListFromTensor, TensorListGetItem, TensorListSetItem, TensorListStack, TensorListLength |
// | function (kernels_function.cc) | While, StatelessWhile (TF2 loops: cond and body functions) |
// | function (kernels_cond.cc) | If, StatelessIf, Case, StatelessCase (TF2 conditionals: branch functions) |
// | layers: tensor array (kernels_tensor_array.cc) | TensorArrayV3, TensorArrayWriteV3, TensorArrayReadV3, TensorArrayGatherV3, TensorArrayScatterV3, TensorArraySizeV3, TensorArrayCloseV3 |
// | layers: attention (kernels_attention.cc) | BatchMatMulV2, Einsum (two operands) |
// | layers: estimator (kernels_estimator.cc) | Tile, AsString, L2Loss (TF1 canned Estimator heads, tf.contrib regularizers) |
#ifndef TFCKPT_GRAPH_SERVING_OPS_H_
#define TFCKPT_GRAPH_SERVING_OPS_H_

#include <memory>

#include "proto/function.pb.h"
#include "src/graph/op_registry.h"

namespace tfckpt::graph {

class FunctionLibrary;

void RegisterParsingOps(OpRegistry* registry);
void RegisterLookupOps(OpRegistry* registry);
void RegisterConvOps(OpRegistry* registry);
void RegisterSliceOps(OpRegistry* registry);
// What Keras / tf.nn layers need (the model zoo, golden/zoo/).
void RegisterActivationOps(OpRegistry* registry);
void RegisterPoolOps(OpRegistry* registry);
void RegisterShapeOps(OpRegistry* registry);
void RegisterNormOps(OpRegistry* registry);
// Elementwise ops of TF 1.x graphs (golden/tf-1.15): Abs, Greater,
// GreaterEqual, LessEqual, DivNoNan; All and Assert (tf.nn.dynamic_rnn).
void RegisterTf1Ops(OpRegistry* registry);
// What Keras' Conv3D / pooling 3-D and recurrent layers need.
void RegisterVolumeOps(OpRegistry* registry);
void RegisterSequenceOps(OpRegistry* registry);
void RegisterListOps(OpRegistry* registry);
// TensorArrayV3 and its ops (tf.nn.dynamic_rnn, TF1 while loop accumulators).
void RegisterTensorArrayOps(OpRegistry* registry);
// What TF 1.x canned Estimators' heads and tf.contrib layers need.
void RegisterEstimatorOps(OpRegistry* registry);
// What Keras' attention layers need (and EinsumDense).
void RegisterAttentionOps(OpRegistry* registry);
// All the layer families.
void RegisterLayerOps(OpRegistry* registry);
// Function calls over `library` (nullptr: every call fails NotFound).
void RegisterFunctionOps(OpRegistry* registry, std::shared_ptr<const FunctionLibrary> library);

// Global()'s families followed by the serving families (no function library).
const OpRegistry& ServingOpRegistry();

// A registry like ServingOpRegistry() whose function-call ops execute the
// functions of `library` (copied). Bodies are built against the returned
// registry, so nested calls work; a function that (transitively) calls
// itself fails with InvalidArgument beyond a depth of 64.
std::unique_ptr<OpRegistry> NewServingOpRegistry(const tensorflow::FunctionDefLibrary& library);

}  // namespace tfckpt::graph

#endif  // TFCKPT_GRAPH_SERVING_OPS_H_
