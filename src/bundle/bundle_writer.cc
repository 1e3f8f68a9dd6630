#include "src/bundle/bundle_writer.h"

#include "src/bundle/entry.h"
#include "src/bundle/naming.h"
#include "src/bundle/replace.h"
#include "src/bundle/tensor_data.h"
#include "src/io/crc32c.h"
#include "src/table/table_builder.h"

namespace tfckpt::bundle {

BundleWriter::BundleWriter(io::Env* env, std::string prefix, BundleWriterOptions options)
    : env_(env), prefix_(std::move(prefix)), options_(options) {
  status_ = RecoverInterruptedSave(env_, prefix_);
  if (status_.ok()) status_ = RemoveStaleTempFiles(env_, prefix_);
  if (!status_.ok()) return;
  if (options_.data_alignment < 1) {
    status_ = InvalidArgumentError(StrCat("data_alignment must be >= 1, got ",
                                          options_.data_alignment));
    return;
  }
  auto data = io::AtomicFileWriter::Create(env_, DataFilename(prefix_, 0, 1));
  if (!data.ok()) {
    status_ = data.status();
    return;
  }
  data_ = std::move(*data);
}

BundleWriter::~BundleWriter() = default;

Status BundleWriter::Fail(Status s) {
  if (status_.ok()) status_ = std::move(s);
  return status_;
}

Status BundleWriter::Add(std::string_view key, const tensor::Tensor& value) {
  if (!status_.ok()) return status_;
  if (finished_) return FailedPreconditionError("BundleWriter::Add after Finish");
  if (key.empty()) {
    return InvalidArgumentError("The empty key is reserved for the bundle header");
  }
  const std::string k(key);
  if (entries_.count(k) > 0) {
    return InvalidArgumentError(StrCat("Adding duplicate key: ", DisplayKey(key)));
  }
  if (!tensor::IsSaveable(value.dtype()) || value.dtype() == tensorflow::DT_VARIANT) {
    return InvalidArgumentError(StrCat("Cannot save tensor ", DisplayKey(key), " of dtype ",
                                       tensor::DataTypeName(value.dtype())));
  }
  tensorflow::BundleEntryProto entry;
  entry.set_dtype(value.dtype());
  value.shape().ToProto(entry.mutable_shape());
  entry.set_shard_id(0);
  entry.set_offset(static_cast<int64_t>(data_size_));
  uint64_t bytes = 0;
  uint32_t crc = 0;
  Status s = WriteTensorData(value, options_.big_endian, data_->file(), &bytes, &crc);
  if (!s.ok()) return Fail(s.WithContext(StrCat("writing ", DisplayKey(key))));
  entry.set_size(static_cast<int64_t>(bytes));
  entry.set_crc32c(io::crc32c::Mask(crc));
  data_size_ += bytes;
  // Zero padding so the next tensor starts aligned.
  const uint64_t rem = data_size_ % static_cast<uint64_t>(options_.data_alignment);
  if (rem != 0) {
    const std::string pad(options_.data_alignment - rem, '\0');
    s = data_->file()->Append(pad);
    if (!s.ok()) return Fail(s);
    data_size_ += pad.size();
  }
  entries_.emplace(k, std::move(entry));
  return OkStatus();
}

Status BundleWriter::AddSlice(std::string_view full_key, const tensor::TensorShape& full_shape,
                              const tensor::TensorSlice& slice, const tensor::Tensor& value) {
  if (!status_.ok()) return status_;
  auto slice_shape = slice.SliceShape(full_shape);
  if (!slice_shape.ok()) return slice_shape.status();
  if (*slice_shape != value.shape()) {
    return InvalidArgumentError(StrCat("slice ", slice.DebugString(), " of ", DisplayKey(full_key),
                                       " has shape ", slice_shape->DebugString(),
                                       " but the tensor given has shape ",
                                       value.shape().DebugString()));
  }
  if (slice.IsFull() || slice.CoversAll(full_shape)) return Add(full_key, value);
  const std::string k(full_key);
  auto it = entries_.find(k);
  if (it != entries_.end()) {
    const auto& e = it->second;
    if (e.slices_size() == 0) {
      return InvalidArgumentError(StrCat("Adding duplicate key: ", DisplayKey(full_key)));
    }
    auto shape = tensor::TensorShape::FromProto(e.shape());
    if (e.dtype() != value.dtype() || !shape.ok() || *shape != full_shape) {
      return InvalidArgumentError(StrCat("slices of ", DisplayKey(full_key),
                                         " disagree on dtype or full shape"));
    }
  }
  TFCKPT_RETURN_IF_ERROR(Add(tensor::EncodeTensorNameSlice(full_key, slice), value));
  tensorflow::BundleEntryProto& full = entries_[k];
  full.set_dtype(value.dtype());
  full_shape.ToProto(full.mutable_shape());
  slice.ToProto(full.add_slices());
  return OkStatus();
}

Status BundleWriter::Finish() {
  if (!status_.ok()) return status_;
  if (finished_) return FailedPreconditionError("BundleWriter::Finish called twice");
  finished_ = true;
  TFCKPT_RETURN_IF_ERROR(Fail(data_->Seal()));

  auto index = io::AtomicFileWriter::Create(env_, MetaFilename(prefix_));
  if (!index.ok()) return Fail(index.status());
  table::Options topts;
  topts.compression = options_.index_compression;
  table::TableBuilder builder(topts, (*index)->file());
  tensorflow::BundleHeaderProto header;
  header.set_num_shards(1);
  header.set_endianness(options_.big_endian ? tensorflow::BundleHeaderProto::BIG
                                            : tensorflow::BundleHeaderProto::LITTLE);
  header.mutable_version()->set_producer(kTensorBundleVersion);
  header.mutable_version()->set_min_consumer(kTensorBundleMinConsumer);
  Status s = builder.Add("", header.SerializeAsString());
  for (const auto& [key, entry] : entries_) {
    if (!s.ok()) break;
    s = builder.Add(key, entry.SerializeAsString());
  }
  if (s.ok()) s = builder.Finish();
  if (s.ok()) s = (*index)->Seal();
  if (s.ok()) s = PublishReplacing(env_, prefix_, data_.get(), index->get());
  return Fail(s);
}

Status PublishReplacing(io::Env* env, const std::string& prefix, io::AtomicFileWriter* data,
                        io::AtomicFileWriter* index) {
  bool parked = false;
  TFCKPT_RETURN_IF_ERROR(ParkExisting(env, prefix, &parked));
  TFCKPT_RETURN_IF_ERROR(data->Publish());  // syncs the directory before the index goes in
  // The index stays open until the parked files are gone: SaveInProgress.
  TFCKPT_RETURN_IF_ERROR(index->Publish(/*keep_open=*/parked));
  if (parked) TFCKPT_RETURN_IF_ERROR(DropParked(env, prefix));
  return index->Close();
}

}  // namespace tfckpt::bundle
