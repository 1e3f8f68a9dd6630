// The ops a training graph needs beyond the graph engine's registry
// (training_ops.cc: Pow; training_kernels.cc: the loss, gradient and
// optimizer ops of a TF1 softmax classifier trained with
// GradientDescentOptimizer). TrainingOpRegistry() (graph_builder.h) is the
// engine's registry plus these.
#ifndef TFCKPT_TRAIN_TRAINING_OPS_H_
#define TFCKPT_TRAIN_TRAINING_OPS_H_

#include "src/graph/op_registry.h"

namespace tfckpt::train {

void RegisterTrainingKernels(graph::OpRegistry* registry);

}  // namespace tfckpt::train

#endif  // TFCKPT_TRAIN_TRAINING_OPS_H_
