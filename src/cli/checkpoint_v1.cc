// V1 (TensorSlice) checkpoints through checkpoint_v1::TensorSliceReader.
#include "src/cli/checkpoint_v1.h"

#include "src/checkpoint_v1/tensor_slice_reader.h"

namespace tfckpt::cli {

namespace {

Status Annotate(const Status& s, const checkpoint_v1::SliceError& e) {
  if (s.ok()) return s;
  std::string msg = s.message();
  if (!e.tensor.empty() && msg.find(e.tensor) == std::string::npos) {
    msg = StrCat("tensor ", DisplayName(e.tensor), ": ", msg);
  }
  return Status(s.code(), WithFile(e.file, msg));
}

}  // namespace

StatusOr<std::shared_ptr<const checkpoint_v1::TensorSliceReader>> OpenV1(io::Env* env,
                                                                  const std::string& pattern) {
  checkpoint_v1::SliceError e;
  auto r = checkpoint_v1::TensorSliceReader::Open(env, pattern, &e);
  if (!r.ok()) {
    Status s = Annotate(r.status(), e);
    return Status(s.code(), StrCat(s.message(), " (reading ", pattern,
                                   " as a V1 TensorSlice checkpoint)"));
  }
  return std::shared_ptr<const checkpoint_v1::TensorSliceReader>(std::move(*r));
}

std::vector<std::string> FilesV1(const checkpoint_v1::TensorSliceReader& reader) {
  return reader.files();
}

StatusOr<std::vector<TensorSummary>> ListV1(const checkpoint_v1::TensorSliceReader& reader) {
  std::vector<TensorSummary> out;
  for (const checkpoint_v1::SlicedTensorInfo& i : reader.ListTensors()) {
    out.push_back({i.name, i.dtype, i.shape});
  }
  return out;
}

StatusOr<std::vector<TensorLayout>> LayoutV1(const checkpoint_v1::TensorSliceReader& reader) {
  std::vector<TensorLayout> out;
  for (const checkpoint_v1::SlicedTensorInfo& i : reader.ListTensors()) {
    const bool whole = i.slices.size() == 1 && i.slices[0].slice.IsFull();
    TensorLayout l{{i.name, i.dtype, i.shape}, !whole, {}};
    for (const checkpoint_v1::StoredSlice& s : i.slices) {
      StoredPiece p;
      p.slice = s.slice.DebugString();
      if (s.file >= 0 && s.file < static_cast<int>(reader.files().size())) {
        p.file = reader.files()[s.file];
      }
      l.pieces.push_back(std::move(p));
    }
    out.push_back(std::move(l));
  }
  return out;
}

StatusOr<tensor::Tensor> LookupV1(const checkpoint_v1::TensorSliceReader& reader,
                                  const std::string& name) {
  if (!reader.HasTensor(name)) {
    return NotFoundError(StrCat("tensor \"", DisplayName(name), "\" not found in V1 checkpoint ",
                                reader.pattern()));
  }
  checkpoint_v1::SliceError e;
  auto t = reader.Lookup(name, &e);
  if (!t.ok()) return Annotate(t.status(), e);
  return t;
}

}  // namespace tfckpt::cli
