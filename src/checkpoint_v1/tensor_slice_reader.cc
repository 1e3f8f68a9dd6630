#include "src/checkpoint_v1/tensor_slice_reader.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include "proto/saved_tensor_slice.pb.h"
#include "src/bundle/entry.h"
#include "src/bundle/slice_copy.h"
#include "src/checkpoint_v1/slice_data.h"

namespace tfckpt::checkpoint_v1 {
namespace {

using tensor::DataTypeName;
using tensor::Tensor;
using tensor::TensorShape;
using tensor::TensorSlice;

constexpr char kFormatHint[] =
    ": perhaps your file is in a different file format and you need to use a different "
    "restore operator?";

std::string MissingMetaMessage(const std::string& file) {
  return StrCat("Failed to find the saved tensor slices at the beginning of the checkpoint file: ",
                file);
}

}  // namespace

StatusOr<std::unique_ptr<TensorSliceReader>> TensorSliceReader::Open(
    io::Env* env, const std::string& pattern, SliceError* error, const ReaderOptions& options) {
  std::unique_ptr<TensorSliceReader> r(new TensorSliceReader(env, pattern, options));
  auto files = env->Glob(pattern);
  if (!files.ok()) {
    return SliceFail(error, StatusCode::kInvalidArgument, SliceErrorKind::kIoError, pattern, "",
                     "",
                     StrCat("Unsuccessful TensorSliceReader constructor: Failed to get matching "
                            "files on ",
                            pattern, ": ", files.status().ToString()));
  }
  if (files->empty()) {
    return SliceFail(error, StatusCode::kNotFound, SliceErrorKind::kNotFound, pattern, "", "",
                     StrCat("Unsuccessful TensorSliceReader constructor: Failed to find any "
                            "matching files for ",
                            pattern));
  }
  r->files_ = std::move(*files);
  r->tables_.resize(r->files_.size());
  for (size_t i = 0; i < r->files_.size(); ++i) {
    TFCKPT_RETURN_IF_ERROR(r->LoadFile(static_cast<int>(i), error));
  }
  for (const auto& [name, entry] : r->tensors_) {
    size_t a, b;
    std::vector<TensorSlice> slices;
    slices.reserve(entry.slices.size());
    for (const StoredSlice& s : entry.slices) slices.push_back(s.slice);
    if (bundle::FindOverlappingSlices(slices, entry.shape, &a, &b)) {
      const StoredSlice& later = entry.slices[b];
      return SliceFail(error, StatusCode::kInternal, SliceErrorKind::kDuplicateSlice,
                       r->files_[later.file], name, later.key,
                       StrCat("Overlapping slices: existing slice = ",
                              entry.slices[a].slice.DebugString(),
                              ", new slice = ", later.slice.DebugString(), " (tensor ", name,
                              ", in ", r->files_[entry.slices[a].file], " and ",
                              r->files_[later.file], ")"));
    }
  }
  if (options.verify_records) {
    for (size_t i = 0; i < r->files_.size(); ++i) {
      TFCKPT_RETURN_IF_ERROR(r->VerifyRecords(static_cast<int>(i), error));
    }
  }
  return r;
}

Status TensorSliceReader::LoadFile(int index, SliceError* error) {
  const std::string& path = files_[index];
  auto file = env_->NewRandomAccessFile(path);
  if (!file.ok()) {
    return SliceFail(error, file.status().code(), SliceErrorKind::kIoError, path, "", "",
                     StrCat("Unable to open table file ", path, ": ",
                            file.status().ToString()));
  }
  table::TableError te;
  auto table = table::Table::Open(std::move(*file), table::ReadOptions(), &te);
  if (!table.ok()) {
    Status s = SliceFail(error, StatusCode::kDataLoss, SliceErrorKind::kTable, path, "", "",
                         StrCat("Unable to open table file ", path, ": ",
                                table.status().ToString(), kFormatHint));
    if (error != nullptr) error->table_error = te;
    return s;
  }
  tables_[index] = std::move(*table);
  const auto fail = [&](StatusCode code, SliceErrorKind kind, const std::string& tensor,
                        std::string message) {
    return SliceFail(error, code, kind, path, tensor, "", std::move(message));
  };

  table::Table::Iterator it = tables_[index]->NewIterator();
  it.SeekToFirst();
  if (!it.Valid()) {
    if (!it.status().ok()) {
      Status s = fail(StatusCode::kDataLoss, SliceErrorKind::kTable, "",
                      StrCat(MissingMetaMessage(path), ": ", it.status().message()));
      if (error != nullptr) error->table_error = it.error();
      return s;
    }
    return fail(StatusCode::kInternal, SliceErrorKind::kMissingMeta, "",
                StrCat(MissingMetaMessage(path), " (the table is empty)"));
  }
  if (!it.key().empty()) {
    return fail(StatusCode::kInternal, SliceErrorKind::kMissingMeta, "",
                StrCat(MissingMetaMessage(path), " (the first key is ",
                       bundle::DisplayKey(it.key()), ", not \"\")"));
  }
  tensorflow::SavedTensorSlices sts;
  const std::string_view value = it.value();
  if (value.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !sts.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return fail(StatusCode::kInternal, SliceErrorKind::kBadMeta, "",
                StrCat(MissingMetaMessage(path),
                       " (the record under key \"\" does not parse as SavedTensorSlices)"));
  }
  if (!sts.has_meta() || sts.has_data()) {
    return fail(StatusCode::kInternal, SliceErrorKind::kBadMeta, "",
                StrCat(MissingMetaMessage(path), " (the record under key \"\" ",
                       sts.has_meta() ? "also holds slice data" : "holds no meta", ")"));
  }
  const tensorflow::SavedTensorSliceMeta& meta = sts.meta();
  Status s = bundle::CheckVersions(meta.versions(), kCheckpointVersion,
                                   kCheckpointVersionMinProducer, "Checkpoint", "checkpoint");
  if (!s.ok()) {
    return fail(StatusCode::kInvalidArgument, SliceErrorKind::kVersionUnsupported, "",
                StrCat(path, ": ", s.message()));
  }
  for (const tensorflow::SavedSliceMeta& ssm : meta.tensor()) {
    const std::string& name = ssm.name();
    auto shape = TensorShape::FromProto(ssm.shape());
    if (!shape.ok()) {
      return fail(StatusCode::kDataLoss, SliceErrorKind::kInvalidShape, name,
                  StrCat("Tensor ", name, " in ", path, " has an invalid shape ",
                         tensor::ShapeProtoDebugString(ssm.shape()), ": ",
                         shape.status().message()));
    }
    if (!tensor::IsKnownDataType(ssm.type())) {
      return fail(StatusCode::kDataLoss, SliceErrorKind::kUnknownDtype, name,
                  StrCat("Tensor ", name, " in ", path, " has an invalid dtype ",
                         DataTypeName(ssm.type())));
    }
    if (!IsReadableDtype(ssm.type())) {
      return fail(StatusCode::kUnimplemented, SliceErrorKind::kUnsupportedDtype, name,
                  StrCat("Tensor ", name, " in ", path, " has dtype ", DataTypeName(ssm.type()),
                         ", which checkpoint V1 cannot hold"));
    }
    if (ssm.slice_size() == 0) {
      return fail(StatusCode::kDataLoss, SliceErrorKind::kBadMeta, name,
                  StrCat("Tensor ", name, " in ", path, " is listed without any slice"));
    }
    for (const tensorflow::TensorSliceProto& tsp : ssm.slice()) {
      auto slice = TensorSlice::FromProto(tsp);
      Status bad = slice.status();
      if (slice.ok()) bad = slice->SliceShape(*shape).status();
      if (!bad.ok()) {
        return fail(StatusCode::kDataLoss, SliceErrorKind::kBadSlice, name,
                    StrCat("Tensor ", name, " in ", path, " lists an invalid slice: ",
                           bad.message()));
      }
      TFCKPT_RETURN_IF_ERROR(RegisterSlice(name, *shape, ssm.type(), index, *slice, error));
    }
  }
  return OkStatus();
}

Status TensorSliceReader::RegisterSlice(const std::string& name, const TensorShape& shape,
                                        tensor::DataType dtype, int file,
                                        const TensorSlice& slice, SliceError* error) {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) {
    it = tensors_.emplace(name, Entry{dtype, shape, {}}).first;
  } else if (it->second.shape != shape) {
    return SliceFail(error, StatusCode::kInternal, SliceErrorKind::kInconsistentMeta,
                     files_[file], name, "",
                     StrCat("Incompatible tensor shapes detected for tensor ", name,
                            ": existing = ", it->second.shape.DebugString(),
                            ", new = ", shape.DebugString(), " (in ", files_[file], ")"));
  } else if (it->second.dtype != dtype) {
    return SliceFail(error, StatusCode::kInternal, SliceErrorKind::kInconsistentMeta,
                     files_[file], name, "",
                     StrCat("Incompatible tensor types detected for tensor ", name,
                            ": existing = ", DataTypeName(it->second.dtype),
                            ", new = ", DataTypeName(dtype), " (in ", files_[file], ")"));
  }
  it->second.slices.push_back(StoredSlice{slice, file, tensor::EncodeTensorNameSlice(name, slice)});
  return OkStatus();
}

namespace {

// Parses and checks one slice record; on success returns its values.
StatusOr<Tensor> DecodeRecord(std::string_view value, const std::string& path,
                              const std::string& name, tensor::DataType dtype,
                              const TensorShape& full_shape, const StoredSlice& stored,
                              SliceError* error) {
  const std::string what =
      StrCat("The record for tensor ", name, ", slice ", stored.slice.DebugString(), " in ", path);
  const auto fail = [&](SliceErrorKind kind, std::string message) {
    return SliceFail(error, StatusCode::kDataLoss, kind, path, name, stored.key,
                     StrCat(what, " ", message));
  };
  tensorflow::SavedTensorSlices sts;
  if (value.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !sts.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return fail(SliceErrorKind::kBadRecord, "does not parse as SavedTensorSlices");
  }
  if (!sts.has_data() || sts.has_meta()) {
    return fail(SliceErrorKind::kBadRecord,
                sts.has_data() ? "also holds a meta" : "holds no slice data");
  }
  const tensorflow::SavedSlice& ss = sts.data();
  if (ss.name() != name) {
    return fail(SliceErrorKind::kBadRecord,
                StrCat("names tensor ", bundle::DisplayKey(ss.name())));
  }
  auto slice = TensorSlice::FromProto(ss.slice());
  if (!slice.ok() || !(*slice == stored.slice)) {
    return fail(SliceErrorKind::kBadRecord,
                StrCat("holds slice ", slice.ok() ? slice->DebugString() : slice.status().message()));
  }
  TFCKPT_ASSIGN_OR_RETURN(TensorShape shape, stored.slice.SliceShape(full_shape));
  SliceErrorKind kind = SliceErrorKind::kBadRecord;
  auto t = DecodeTensorProto(ss.data(), dtype, shape, &kind);
  if (!t.ok()) return fail(kind, StrCat("is invalid: ", t.status().message()));
  return t;
}

}  // namespace

Status TensorSliceReader::VerifyRecords(int index, SliceError* error) const {
  const std::string& path = files_[index];
  // Slices this file's meta lists, by key.
  struct Expected {
    const std::string* name;
    const Entry* entry;
    const StoredSlice* stored;
    bool seen = false;
  };
  std::map<std::string_view, Expected> expected;
  for (const auto& [name, entry] : tensors_) {
    for (const StoredSlice& s : entry.slices) {
      if (s.file == index) expected.emplace(s.key, Expected{&name, &entry, &s});
    }
  }
  table::Table::Iterator it = tables_[index]->NewIterator();
  it.SeekToFirst();
  if (it.Valid()) it.Next();  // the meta, checked by LoadFile
  for (; it.Valid(); it.Next()) {
    const std::string_view key = it.key();
    auto e = expected.find(key);
    if (e == expected.end()) {
      std::string name;
      TensorSlice slice;
      Status s = tensor::DecodeTensorNameSlice(key, &name, &slice);
      return SliceFail(error, StatusCode::kDataLoss, SliceErrorKind::kBadSliceKey, path, name,
                       std::string(key),
                       s.ok() ? StrCat("Record ", bundle::DisplayKey(key), " in ", path,
                                       " is not a slice listed in the checkpoint's metadata")
                              : StrCat("Record key ", bundle::DisplayKey(key), " in ", path,
                                       " is not a slice key: ", s.message()));
    }
    const Expected& x = e->second;
    TFCKPT_RETURN_IF_ERROR(DecodeRecord(it.value(), path, *x.name, x.entry->dtype,
                                        x.entry->shape, *x.stored, error)
                               .status());
    e->second.seen = true;
  }
  if (!it.status().ok()) {
    Status s = SliceFail(error, it.status().code(), SliceErrorKind::kTable, path, "", "",
                         it.status().message());
    if (error != nullptr) error->table_error = it.error();
    return s;
  }
  for (const auto& [key, x] : expected) {
    if (!x.seen) {
      return SliceFail(error, StatusCode::kDataLoss, SliceErrorKind::kMissingData, path, *x.name,
                       std::string(key),
                       StrCat("Failed to seek to the record for tensor ", *x.name, ", slice ",
                              x.stored->slice.DebugString(), " in ", path));
    }
  }
  return OkStatus();
}

StatusOr<Tensor> TensorSliceReader::ReadSlice(const std::string& name, const Entry& entry,
                                              const StoredSlice& stored,
                                              SliceError* error) const {
  const std::string& path = files_[stored.file];
  table::TableError te;
  auto value = tables_[stored.file]->Get(stored.key, &te);
  if (!value.ok()) {
    Status s = SliceFail(error, value.status().code(), SliceErrorKind::kTable, path, name,
                         stored.key, value.status().message());
    if (error != nullptr) error->table_error = te;
    return s;
  }
  if (!value->has_value()) {
    return SliceFail(error, StatusCode::kDataLoss, SliceErrorKind::kMissingData, path, name,
                     stored.key,
                     StrCat("Failed to seek to the record for tensor ", name, ", slice ",
                            stored.slice.DebugString(), " in ", path));
  }
  return DecodeRecord(**value, path, name, entry.dtype, entry.shape, stored, error);
}

bool TensorSliceReader::HasTensor(std::string_view name, SlicedTensorInfo* info) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) return false;
  if (info != nullptr) {
    *info = SlicedTensorInfo{it->first, it->second.dtype, it->second.shape, it->second.slices};
  }
  return true;
}

std::vector<SlicedTensorInfo> TensorSliceReader::ListTensors() const {
  std::vector<SlicedTensorInfo> out;
  out.reserve(tensors_.size());
  for (const auto& [name, e] : tensors_) {
    out.push_back(SlicedTensorInfo{name, e.dtype, e.shape, e.slices});
  }
  return out;
}

StatusOr<Tensor> TensorSliceReader::Lookup(std::string_view name, SliceError* error) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) {
    return SliceFail(error, StatusCode::kNotFound, SliceErrorKind::kNotFound, pattern_,
                     std::string(name), "", StrCat(name, " not found in checkpoint file"));
  }
  return LookupSlice(name, TensorSlice(it->second.shape.rank()), error);
}

StatusOr<Tensor> TensorSliceReader::LookupSlice(std::string_view name_view,
                                                const TensorSlice& slice,
                                                SliceError* error) const {
  const std::string name(name_view);
  auto it = tensors_.find(name);
  if (it == tensors_.end()) {
    return SliceFail(error, StatusCode::kNotFound, SliceErrorKind::kNotFound, pattern_, name, "",
                     StrCat(name, " not found in checkpoint file"));
  }
  const Entry& entry = it->second;
  auto region = slice.SliceShape(entry.shape);
  if (!region.ok()) {
    return SliceFail(error, StatusCode::kInvalidArgument, SliceErrorKind::kInvalidRequest,
                     pattern_, name, "",
                     StrCat("Cannot read slice ", slice.DebugString(), " of tensor ", name,
                            " of shape ", entry.shape.DebugString(), ": ",
                            region.status().message()));
  }
  // Which stored slices contribute, and do they cover the region? (Stored
  // slices never overlap, so the intersections add up.)
  std::vector<const StoredSlice*> parts;
  int64_t covered = 0;
  for (const StoredSlice& stored : entry.slices) {
    TensorSlice inter;
    if (!stored.slice.Intersect(slice, &inter)) continue;
    parts.push_back(&stored);
    covered += inter.SliceShape(entry.shape)->num_elements();
  }
  if (covered != region->num_elements()) {
    return SliceFail(error, StatusCode::kInvalidArgument, SliceErrorKind::kMissingSlices,
                     pattern_, name, "",
                     StrCat("Does not have sufficient slices for tensor ", name,
                            " to restore slice ", slice.DebugString(), " (stored slices cover ",
                            covered, " of its ", region->num_elements(), " elements)"));
  }
  // Read every record first: the output is allocated only once they have
  // proved to hold the values the region needs.
  std::vector<Tensor> data;
  data.reserve(parts.size());
  for (const StoredSlice* stored : parts) {
    TFCKPT_ASSIGN_OR_RETURN(Tensor t, ReadSlice(name, entry, *stored, error));
    data.push_back(std::move(t));
  }
  if (parts.size() == 1 && data[0].shape() == *region) {
    // One stored slice with exactly the region's extent (scalars included).
    bool same = true;
    for (int d = 0; d < entry.shape.rank(); ++d) {
      same = same && parts[0]->slice.start(d) == slice.start(d);
    }
    if (same) return std::move(data[0]);
  }
  TFCKPT_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(entry.dtype, *region));
  for (size_t i = 0; i < parts.size(); ++i) {
    TFCKPT_RETURN_IF_ERROR(
        bundle::CopySliceOverlap(entry.shape, parts[i]->slice, data[i], slice, &out));
  }
  return out;
}

}  // namespace tfckpt::checkpoint_v1
