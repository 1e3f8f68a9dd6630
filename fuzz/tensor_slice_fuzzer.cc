// Slice keys (OrderedCode), slice text and shape_and_slice specs, slice
// protos: decode must never crash, and what decodes must re-encode to the
// same key.
#include <cstdlib>

#include "proto/tensor_slice.pb.h"
#include "src/tensor/tensor_slice.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tfckpt::tensor;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string name;
  TensorSlice slice;
  if (DecodeTensorNameSlice(in, &name, &slice).ok()) {
    std::string name2;
    TensorSlice slice2;
    const std::string again = EncodeTensorNameSlice(name, slice);
    if (!DecodeTensorNameSlice(again, &name2, &slice2).ok() || name2 != name || !(slice2 == slice)) {
      std::abort();  // the codec disagrees with itself
    }
  }
  auto parsed = TensorSlice::Parse(in);
  if (parsed.ok()) {
    auto back = TensorSlice::Parse(parsed->DebugString());
    if (!back.ok() || !(*back == *parsed)) std::abort();
  }
  ParseShapeAndSlice(in).status().IgnoreError();
  tensorflow::TensorSliceProto p;
  if (p.ParseFromArray(data, static_cast<int>(size))) {
    auto s = TensorSlice::FromProto(p);
    if (s.ok()) {
      TensorShape shape;
      std::vector<int64_t> dims(s->rank(), 8);
      if (auto sh = TensorShape::Make(dims); sh.ok()) s->SliceShape(*sh).status().IgnoreError();
    }
  }
  return 0;
}
