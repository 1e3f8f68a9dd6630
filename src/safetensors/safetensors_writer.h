// Writing the safetensors format (Hugging Face's, version-less; the spec is
// the format section of its README): an 8-byte little-endian header size N,
// N bytes of UTF-8 JSON {name: {"dtype", "shape", "data_offsets": [begin,
// end]}, "__metadata__": {string: string}}, then the byte buffer of every
// tensor, little-endian, row-major, with no holes; offsets are relative to
// the start of the byte buffer.
//
//   std::vector<SafetensorsEntry> entries = {{"w", DT_FLOAT, {2, 3}}, ...};
//   TFCKPT_RETURN_IF_ERROR(WriteSafetensors(env, "model.safetensors", entries,
//       [&](size_t i) { return reader.Lookup(entries[i].source); }));
//
// Layout (what the reference writer does, so files are alike): tensors in
// order of decreasing element size, then by name, so every tensor starts at
// a multiple of its element size; the header JSON is padded with spaces to
// a multiple of 8 bytes. One tensor is fetched at a time and streamed, so
// memory stays at the largest tensor. The file is written to a temporary
// name and renamed over `path` when complete (io::AtomicFileWriter): an
// existing file is replaced whole or not at all.
//
// dtypes: bool BOOL, uint8 U8, int8 I8, int16 I16, uint16 U16, half F16,
// bfloat16 BF16, int32 I32, uint32 U32, float F32, double F64, int64 I64,
// uint64 U64, float8_e5m2 F8_E5M2, float8_e4m3fn F8_E4M3. Anything else
// (strings, complex, quantized, 4-bit, variant) has no safetensors dtype:
// InvalidArgument naming the tensor and its dtype. Names must be valid UTF-8,
// unique, and not "__metadata__" (InvalidArgument naming the tensor).
#ifndef TFCKPT_SAFETENSORS_SAFETENSORS_WRITER_H_
#define TFCKPT_SAFETENSORS_SAFETENSORS_WRITER_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "src/io/env.h"
#include "src/io/status.h"
#include "src/tensor/tensor.h"

namespace tfckpt::safetensors {

struct SafetensorsEntry {
  std::string name;  // the name in the safetensors file
  tensor::DataType dtype = tensorflow::DT_INVALID;
  tensor::TensorShape shape;
};

// "F32", ... or nullopt when safetensors has no such dtype.
std::optional<std::string> SafetensorsDtype(tensor::DataType dtype);

// `fetch(i)` returns entries[i]'s values (host byte order, which must be
// little-endian); a tensor of another dtype or shape is InvalidArgument.
Status WriteSafetensors(io::Env* env, const std::string& path,
                        const std::vector<SafetensorsEntry>& entries,
                        const std::function<StatusOr<tensor::Tensor>(size_t)>& fetch,
                        const std::map<std::string, std::string>& metadata = {});

}  // namespace tfckpt::safetensors

#endif  // TFCKPT_SAFETENSORS_SAFETENSORS_WRITER_H_
