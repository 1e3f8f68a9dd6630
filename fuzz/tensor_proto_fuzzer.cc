// TensorProto -> Tensor (the Const decoder) and back: decoding never
// crashes or allocates past its budget, and what decodes re-encodes to a
// proto that decodes to the same bits.
#include <cstdlib>

#include "proto/tensor.pb.h"
#include "src/tensor/tensor_proto.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tfckpt::tensor;
  tensorflow::TensorProto p;
  if (!p.ParseFromArray(data, static_cast<int>(size))) return 0;
  TensorProtoOptions options;
  options.max_broadcast_bytes = 64 << 20;  // the fuzzer's memory budget
  auto t = TensorFromProto(p, options);
  if (!t.ok()) return 0;
  tensorflow::TensorProto again;
  if (!TensorToProto(*t, &again).ok()) return 0;
  auto back = TensorFromProto(again, options);
  if (!back.ok() || !back->BitwiseEquals(*t)) std::abort();  // the codec disagrees with itself
  return 0;
}
