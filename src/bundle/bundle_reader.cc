#include "src/bundle/bundle_reader.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "src/bundle/naming.h"
#include "src/bundle/replace.h"
#include "src/bundle/slice_copy.h"
#include "src/io/escape.h"

namespace tfckpt::bundle {

using tensor::Tensor;
using tensor::TensorShape;
using tensor::TensorSlice;

bool HostIsLittleEndian() {
  const uint16_t one = 1;
  char first;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

namespace {
// Each retry waits a little longer (1, 2, ... 20 ms, then 20 ms): about a
// second in all, ample for a writer's few renames.
constexpr int kOpenAttempts = 50;
}  // namespace

StatusOr<std::unique_ptr<BundleReader>> BundleReader::Open(io::Env* env, std::string prefix,
                                                           BundleError* error) {
  const std::string index = MetaFilename(prefix);
  for (int attempt = 0; attempt < kOpenAttempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(std::min(attempt, 20)));
    bool torn = false;
    BundleError err;
    auto r = OpenOnce(env, prefix, /*parked=*/false, &err, &torn);
    if (!torn && !r.ok() && err.kind == BundleErrorKind::kNotFound) {
      if (env->FileExists(ParkedName(index))) {
        // A replacement is under way or was interrupted: the previous
        // checkpoint is whole under the parked names (replace.h).
        err = BundleError();
        r = OpenOnce(env, prefix, /*parked=*/true, &err, &torn);
      } else if (env->FileExists(index)) {
        torn = true;  // published meanwhile (the parked one is gone only after that)
      }
    }
    if (torn) continue;
    if (error != nullptr) *error = std::move(err);
    return r;
  }
  return BundleFail(error, StatusCode::kUnavailable, BundleErrorKind::kIoError, index, "",
                    std::nullopt,
                    StrCat(index, " and its data files kept changing while being opened (",
                           kOpenAttempts, " attempts): is more than one process saving to ",
                           prefix, "?"));
}

StatusOr<std::unique_ptr<BundleReader>> BundleReader::OpenOnce(io::Env* env,
                                                               const std::string& prefix,
                                                               bool parked, BundleError* error,
                                                               bool* torn) {
  std::unique_ptr<BundleReader> r(new BundleReader(env, prefix));
  const std::string live_index = MetaFilename(prefix);
  r->parked_ = parked;
  r->index_path_ = parked ? ParkedName(live_index) : live_index;
  auto file = env->NewRandomAccessFile(r->index_path_);
  if (!file.ok()) {
    const bool missing = file.status().code() == StatusCode::kNotFound;
    if (parked && missing) {
      *torn = true;  // the save completed or was rolled back meanwhile
      return file.status();
    }
    return BundleFail(error, file.status().code(),
                      missing ? BundleErrorKind::kNotFound : BundleErrorKind::kIoError,
                      r->index_path_, "", std::nullopt, file.status().message());
  }
  const std::string identity = (*file)->Identity();
  table::TableError terr;
  auto table = table::Table::Open(std::move(*file), {}, &terr);
  if (!table.ok()) {
    if (error != nullptr) error->table_error = terr;
    return BundleFail(error, table.status().code(), BundleErrorKind::kTable, r->index_path_, "",
                      terr.offset, table.status().message());
  }
  r->table_ = std::move(*table);
  table::Table::Iterator it = r->table_->NewIterator();
  it.SeekToFirst();
  if (!it.status().ok()) {
    if (error != nullptr) error->table_error = it.error();
    return BundleFail(error, it.status().code(), BundleErrorKind::kTable, r->index_path_, "",
                      it.error().offset, it.status().message());
  }
  if (!it.Valid() || !it.key().empty()) {
    return BundleFail(error, StatusCode::kDataLoss, BundleErrorKind::kMissingHeader,
                      r->index_path_, "", std::nullopt,
                      StrCat("Unable to read file (", r->index_path_,
                             "). Perhaps the file is corrupt or was produced by a newer "
                             "version of TensorFlow with format changes (failed to seek "
                             "to header entry)"));
  }
  TFCKPT_RETURN_IF_ERROR(ParseHeader(it.value(), r->index_path_, &r->header_, error));
  const bool big = r->header_.endianness() == tensorflow::BundleHeaderProto::BIG;
  r->swap_ = big == HostIsLittleEndian();
  // Every data file now, while the index is known to be current; a file
  // that will not open is reported by DataFile() when it is needed.
  for (int shard = 0; shard < r->header_.num_shards(); ++shard) {
    auto data = r->OpenDataFile(DataFilename(prefix, shard, r->header_.num_shards()), torn);
    if (*torn || !data.ok()) break;
    r->data_files_[shard] = std::move(*data);
  }
  if (!*torn && !identity.empty()) {
    *torn = parked ? env->FileExists(live_index) || env->FileIdentity(r->index_path_) != identity
                   : env->FileIdentity(live_index) != identity;
  }
  if (*torn) return UnavailableError(StrCat(r->index_path_, " changed while being opened"));
  return r;
}

StatusOr<std::shared_ptr<const io::RandomAccessFile>> BundleReader::OpenDataFile(
    const std::string& path, bool* torn) const {
  if (parked_) {
    auto backup = env_->NewRandomAccessFile(ParkedName(path));
    if (backup.ok()) return std::shared_ptr<const io::RandomAccessFile>(std::move(*backup));
  }
  auto file = env_->NewRandomAccessFile(path);
  // Beside a parked index, a live data file is the previous checkpoint's
  // only while it has not been parked itself (it never is again).
  if (parked_ && env_->FileExists(ParkedName(path))) *torn = true;
  if (!file.ok()) return file.status();
  return std::shared_ptr<const io::RandomAccessFile>(std::move(*file));
}

StatusOr<ParsedEntry> BundleReader::GetEntry(std::string_view key, BundleError* error) const {
  table::TableError terr;
  auto value = table_->Get(key, &terr);
  if (!value.ok()) {
    if (error != nullptr) error->table_error = terr;
    return BundleFail(error, value.status().code(), BundleErrorKind::kTable, index_path_,
                      std::string(key), terr.offset, value.status().message());
  }
  if (!value->has_value() || key.empty()) {
    // Verbatim, as TF's BundleReader (Saver errors quote it, control bytes
    // and all: SaverPropertyRegression); a missing slice entry, whose key is
    // binary, gets LookupSlice's escaped message instead.
    return BundleFail(error, StatusCode::kNotFound, BundleErrorKind::kNotFound, index_path_,
                      std::string(key), std::nullopt,
                      StrCat("Key ", key, " not found in checkpoint"));
  }
  ParsedEntry entry;
  TFCKPT_RETURN_IF_ERROR(ParseEntry(key, **value, header_, index_path_, &entry, error));
  return entry;
}

bool BundleReader::Contains(std::string_view key) const {
  auto v = table_->Get(key);
  return !key.empty() && v.ok() && v->has_value();
}

StatusOr<std::shared_ptr<const io::RandomAccessFile>> BundleReader::DataFile(
    int shard, BundleError* error) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = data_files_.find(shard);
  if (it != data_files_.end()) return it->second;
  std::string path = DataFilename(prefix_, shard, header_.num_shards());
  bool torn = false;  // only Open's snapshot is checked
  auto file = OpenDataFile(path, &torn);
  if (parked_) path = ParkedName(path);
  if (!file.ok()) {
    // Only an absent file is a missing shard; one that exists but cannot
    // be opened (permissions, EIO) is an I/O error, not a broken checkpoint.
    const bool absent = file.status().code() == StatusCode::kNotFound;
    return BundleFail(error, file.status().code(),
                      absent ? BundleErrorKind::kShardMissing : BundleErrorKind::kIoError, path, "",
                      std::nullopt,
                      StrCat("Data file for shard ", shard, " of ", header_.num_shards(),
                             " cannot be opened: ", file.status().message()));
  }
  data_files_[shard] = *file;
  return *file;
}

StatusOr<Tensor> BundleReader::ReadEntry(std::string_view key, const ParsedEntry& entry,
                                         BundleError* error,
                                         const ReadDataOptions& options) const {
  if (entry.partitioned()) {
    return InternalError(StrCat("ReadEntry of partitioned key ", DisplayKey(key)));
  }
  TFCKPT_ASSIGN_OR_RETURN(auto file, DataFile(entry.proto.shard_id(), error));
  Tensor out;
  TFCKPT_RETURN_IF_ERROR(ReadTensorData(key, entry, file, swap_, options, &out, error));
  return out;
}


StatusOr<Tensor> BundleReader::LookupSlice(std::string_view key, const TensorSlice& slice,
                                           BundleError* error) const {
  TFCKPT_ASSIGN_OR_RETURN(ParsedEntry entry, GetEntry(key, error));
  auto region_shape = slice.SliceShape(entry.shape);
  if (!region_shape.ok()) {
    return BundleFail(error, StatusCode::kInvalidArgument, BundleErrorKind::kBadSlice,
                      index_path_, std::string(key), std::nullopt,
                      StrCat("Requested slice of ", DisplayKey(key), ": ",
                             region_shape.status().message()));
  }
  if (!entry.partitioned()) {
    // The entry's size was checked against dtype x shape, and ReadEntry
    // checks it against the data file before anything is allocated.
    TFCKPT_ASSIGN_OR_RETURN(Tensor whole, ReadEntry(key, entry, error));
    TFCKPT_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(entry.proto.dtype(), *region_shape));
    TFCKPT_RETURN_IF_ERROR(
        CopySliceOverlap(entry.shape, TensorSlice(entry.shape.rank()), whole, slice, &out));
    return out;
  }
  // Slices must not overlap; then covering the request is a matter of counts.
  size_t a, b;
  if (FindOverlappingSlices(entry.slices, entry.shape, &a, &b)) {
    return BundleFail(error, StatusCode::kDataLoss, BundleErrorKind::kBadSlice, index_path_,
                      std::string(key), std::nullopt,
                      StrCat("Partitioned tensor ", DisplayKey(key), " has overlapping slices ",
                             entry.slices[a].DebugString(), " and ",
                             entry.slices[b].DebugString()));
  }
  // Pass 1, before allocating anything: every overlapping stored slice must
  // have a well-formed data entry inside its data file, and together they
  // must cover the request. So the allocation below is justified by bytes
  // that exist on disk, whatever shape the (untrusted) entry claims.
  struct Part {
    TensorSlice slice;
    std::string key;
    ParsedEntry entry;
  };
  std::vector<Part> parts;
  int64_t covered = 0;
  for (const TensorSlice& stored : entry.slices) {
    TensorSlice inter;
    if (!stored.Intersect(slice, &inter)) continue;
    const std::string slice_key = tensor::EncodeTensorNameSlice(key, stored);
    auto found = GetEntry(slice_key, error);
    if (!found.ok() && found.status().code() == StatusCode::kNotFound) {
      return BundleFail(error, StatusCode::kNotFound, BundleErrorKind::kNotFound, index_path_,
                        slice_key, std::nullopt,
                        StrCat("Key ", DisplayKey(slice_key), " not found in checkpoint: ",
                               "partitioned tensor ", DisplayKey(key), " lists slice ",
                               stored.DebugString(), ", but the index holds no entry for it "
                               "(expected under the slice key ",
                               io::EscapeBytes(slice_key, io::kEscapeQuoted), ")"));
    }
    TFCKPT_ASSIGN_OR_RETURN(ParsedEntry part, std::move(found));
    auto stored_shape = stored.SliceShape(entry.shape);
    if (part.partitioned() || part.proto.dtype() != entry.proto.dtype() ||
        !stored_shape.ok() || part.shape != *stored_shape) {
      return BundleFail(error, StatusCode::kDataLoss, BundleErrorKind::kBadSlice, index_path_,
                        slice_key, std::nullopt,
                        StrCat("Slice ", stored.DebugString(), " of ", DisplayKey(key),
                               " is stored with dtype ", tensor::DataTypeName(part.proto.dtype()),
                               " and shape ", part.shape.DebugString(), ", expected ",
                               tensor::DataTypeName(entry.proto.dtype()), " and ",
                               stored_shape.ok() ? stored_shape->DebugString() : "?"));
    }
    TFCKPT_ASSIGN_OR_RETURN(auto file, DataFile(part.proto.shard_id(), error));
    if (static_cast<uint64_t>(part.proto.offset()) > file->Size() ||
        static_cast<uint64_t>(part.proto.size()) > file->Size() - part.proto.offset()) {
      return BundleFail(error, StatusCode::kDataLoss, BundleErrorKind::kTruncated, file->path(),
                        slice_key, part.proto.offset(),
                        StrCat("Slice ", stored.DebugString(), " of ", DisplayKey(key),
                               " lies outside its data file ", file->path()));
    }
    covered += inter.SliceShape(entry.shape)->num_elements();
    parts.push_back(Part{stored, slice_key, std::move(part)});
  }
  if (covered != region_shape->num_elements()) {
    return BundleFail(error, StatusCode::kInvalidArgument, BundleErrorKind::kMissingSlices,
                      index_path_, std::string(key), std::nullopt,
                      StrCat("Does not have sufficient slices for partitioned tensor ",
                             DisplayKey(key), " to restore in slice_spec: ",
                             slice.DebugString()));
  }
  TFCKPT_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(entry.proto.dtype(), *region_shape));
  for (const Part& p : parts) {
    TFCKPT_ASSIGN_OR_RETURN(Tensor data, ReadEntry(p.key, p.entry, error));
    TFCKPT_RETURN_IF_ERROR(CopySliceOverlap(entry.shape, p.slice, data, slice, &out));
  }
  return out;
}

StatusOr<Tensor> BundleReader::Lookup(std::string_view key, BundleError* error,
                                      const ReadDataOptions& options) const {
  TFCKPT_ASSIGN_OR_RETURN(ParsedEntry entry, GetEntry(key, error));
  if (entry.partitioned()) {
    return LookupSlice(key, TensorSlice(entry.shape.rank()), error);
  }
  return ReadEntry(key, entry, error, options);
}

StatusOr<std::vector<TensorInfo>> BundleReader::ListTensors(BundleError* error) const {
  std::vector<TensorInfo> out;
  table::Table::Iterator it = table_->NewIterator();
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    if (it.key().empty() || it.key()[0] == '\0') continue;  // header, slice data
    ParsedEntry entry;
    TFCKPT_RETURN_IF_ERROR(ParseEntry(it.key(), it.value(), header_, index_path_, &entry, error));
    out.push_back(TensorInfo{std::string(it.key()), entry.proto.dtype(), entry.shape,
                             entry.slices});
  }
  if (!it.status().ok()) {
    if (error != nullptr) error->table_error = it.error();
    return BundleFail(error, it.status().code(), BundleErrorKind::kTable, index_path_, "",
                      it.error().offset, it.status().message());
  }
  return out;
}

}  // namespace tfckpt::bundle
