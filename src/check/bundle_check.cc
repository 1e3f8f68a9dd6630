#include "src/check/bundle_check.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <system_error>
#include <thread>

#include "src/bundle/bundle_reader.h"
#include "src/bundle/entry.h"
#include "src/bundle/naming.h"
#include "src/bundle/replace.h"
#include "src/bundle/tensor_data.h"
#include "src/table/table.h"

namespace tfckpt::check {

using bundle::BundleError;
using bundle::BundleErrorKind;
using table::TableErrorKind;

DefectCode CodeFor(const table::TableError& e) {
  switch (e.kind) {
    case TableErrorKind::kTooShort: return DefectCode::kTruncated;
    case TableErrorKind::kBadMagic: return DefectCode::kBadMagic;
    case TableErrorKind::kBadBlockHandle: return DefectCode::kBadBlockHandle;
    case TableErrorKind::kBlockOutOfRange: return DefectCode::kOffsetOutOfRange;
    case TableErrorKind::kBlockChecksum: return DefectCode::kBlockCrc;
    case TableErrorKind::kBadCompression: return DefectCode::kBadCompression;
    case TableErrorKind::kUnknownBlockType: return DefectCode::kUnknownBlockType;
    case TableErrorKind::kBadBlockContents: return DefectCode::kBadBlock;
    case TableErrorKind::kUnsortedKeys: return DefectCode::kUnsortedKeys;
    case TableErrorKind::kIoError: return DefectCode::kIoError;
    case TableErrorKind::kNone: break;
  }
  return DefectCode::kIoError;
}

DefectCode CodeFor(const BundleError& e) {
  switch (e.kind) {
    case BundleErrorKind::kTable: return CodeFor(e.table_error);
    case BundleErrorKind::kMissingHeader: return DefectCode::kMissingHeader;
    case BundleErrorKind::kBadHeader: return DefectCode::kBadHeader;
    case BundleErrorKind::kVersionUnsupported: return DefectCode::kVersionUnsupported;
    case BundleErrorKind::kBadEntry: return DefectCode::kBadEntry;
    case BundleErrorKind::kUnknownDtype: return DefectCode::kUnknownDtype;
    case BundleErrorKind::kInvalidShape: return DefectCode::kInvalidShape;
    case BundleErrorKind::kNegativeDim: return DefectCode::kNegativeDim;
    case BundleErrorKind::kSizeOverflow: return DefectCode::kSizeOverflow;
    case BundleErrorKind::kSizeMismatch: return DefectCode::kSizeMismatch;
    case BundleErrorKind::kShardIdOutOfRange: return DefectCode::kShardIdOutOfRange;
    case BundleErrorKind::kShardMissing: return DefectCode::kShardMissing;
    case BundleErrorKind::kOffsetOutOfRange: return DefectCode::kOffsetOutOfRange;
    case BundleErrorKind::kTruncated: return DefectCode::kTruncated;
    case BundleErrorKind::kTensorCrc: return DefectCode::kTensorCrc;
    case BundleErrorKind::kStringLengthCrc: return DefectCode::kStringLengthCrc;
    case BundleErrorKind::kBadStringLengths: return DefectCode::kBadStringLengths;
    case BundleErrorKind::kBadSlice: return DefectCode::kBadSlice;
    case BundleErrorKind::kMissingSlices: return DefectCode::kMissingSlices;
    case BundleErrorKind::kNotFound: return DefectCode::kNotFound;
    case BundleErrorKind::kUnsupported: return DefectCode::kUnsupported;
    case BundleErrorKind::kIoError: return DefectCode::kIoError;
    case BundleErrorKind::kNone: break;
  }
  return DefectCode::kIoError;
}

namespace {

void Add(Report* r, DefectCode code, std::string file, std::optional<uint64_t> offset,
         std::string key, std::string message) {
  r->defects.push_back(Defect{code, std::move(file), offset, std::move(key), std::move(message)});
}

void AddError(Report* r, const BundleError& e) {
  const std::optional<uint64_t> offset =
      e.offset ? e.offset
               : (e.kind == BundleErrorKind::kTable ? std::optional<uint64_t>(e.table_error.offset)
                                                    : std::nullopt);
  Add(r, CodeFor(e), e.file, offset, e.key.empty() ? "" : bundle::DisplayKey(e.key), e.message);
}

// Shards of another save beside this prefix: `<prefix>.data-*-of-M` with
// M != num_shards.
void CheckMixedShards(io::Env* env, const std::string& prefix, int num_shards, Report* r) {
  auto files = env->Glob(prefix + ".data-" "?????" "-of-" "?????");
  if (!files.ok()) return;
  const std::string want = bundle::DataFilename("", 0, num_shards).substr(11);  // "-of-NNNNN"
  for (const std::string& f : *files) {
    if (f.size() < want.size() || f.compare(f.size() - want.size(), want.size(), want) != 0) {
      Add(r, DefectCode::kMixedShards, f, std::nullopt, "",
          StrCat("data file of another save: the index says ", num_shards,
                 " shard(s), this file is numbered for a different count"));
    }
  }
}


// One non-partitioned entry whose data file exists, and what checking its
// bytes found.
struct DataItem {
  const std::string* key;
  const bundle::ParsedEntry* entry;
  std::shared_ptr<const io::RandomAccessFile> file;
};
struct DataOutcome {
  BundleError error;  // kind kNone: the bytes are fine
};

// Below this much tensor data one thread does it all (a thread costs more
// than it saves).
constexpr uint64_t kParallelMinBytes = uint64_t{64} << 20;

int WorkerCount(const ValidateOptions& options, uint64_t total_bytes, size_t items) {
  int n = options.threads;
  if (n <= 0) {
    const unsigned cpus = std::thread::hardware_concurrency();
    n = cpus >= 2 && total_bytes >= kParallelMinBytes ? 2 : 1;
  }
  return static_cast<int>(std::min<size_t>(static_cast<size_t>(n), std::max<size_t>(items, 1)));
}

// Checks items[begin, end). Workers after the first read through their own
// handle of each data file: the POSIX Env keeps one mapping window per
// handle, and two workers sharing a handle would keep evicting each
// other's window.
void CheckRange(io::Env* env, const std::vector<DataItem>& items, size_t begin, size_t end,
                bool own_handles, bool swap, const bundle::ReadDataOptions& read_options,
                std::vector<DataOutcome>* outcomes, std::atomic<uint64_t>* done,
                const std::function<void()>& after_each) {
  std::map<const io::RandomAccessFile*, std::shared_ptr<const io::RandomAccessFile>> handles;
  for (size_t i = begin; i < end; ++i) {
    const DataItem& item = items[i];
    std::shared_ptr<const io::RandomAccessFile> file = item.file;
    if (own_handles) {
      auto h = handles.find(item.file.get());
      if (h == handles.end()) {
        auto f = env->NewRandomAccessFile(item.file->path());
        // Unopenable now (deleted meanwhile?): share the first handle.
        h = handles.emplace(item.file.get(), f.ok() ? std::shared_ptr<const io::RandomAccessFile>(
                                                          std::move(*f))
                                                    : item.file)
                .first;
      }
      file = h->second;
    }
    tensor::Tensor unused;
    (void)bundle::ReadTensorData(*item.key, *item.entry, file, swap, read_options, &unused,
                                 &(*outcomes)[i].error);
    done->fetch_add(static_cast<uint64_t>(item.entry->proto.size()), std::memory_order_relaxed);
    if (after_each) after_each();
  }
}

// Reads and checks the bytes of every item on WorkerCount() threads, each a
// contiguous run of about the same number of bytes (the calling thread
// takes the first and reports progress).
std::vector<DataOutcome> CheckTensorData(io::Env* env, const std::vector<DataItem>& items,
                                         bool swap, const ValidateOptions& options,
                                         uint64_t total_bytes) {
  bundle::ReadDataOptions read_options;
  read_options.materialize = false;
  read_options.verify_crc = options.verify_data;
  std::vector<DataOutcome> outcomes(items.size());
  std::atomic<uint64_t> done{0};
  std::function<void()> progress;
  if (options.progress) {
    progress = [&] {
      if (options.verify_data) {
        options.progress(std::min(done.load(std::memory_order_relaxed), total_bytes), total_bytes);
      } else {
        options.progress(0, total_bytes);
      }
    };
  }
  const int workers = WorkerCount(options, total_bytes, items.size());
  // Split points: worker w starts at the first item past w/workers of the bytes.
  std::vector<size_t> starts = {0};
  uint64_t sum = 0;
  for (size_t i = 0; i < items.size() && static_cast<int>(starts.size()) < workers; ++i) {
    const uint64_t cut = total_bytes / workers * starts.size();
    if (sum >= cut && i > starts.back()) starts.push_back(i);
    sum += static_cast<uint64_t>(items[i].entry->proto.size());
  }
  starts.push_back(items.size());
  std::vector<std::thread> threads;
  for (size_t w = 1; w + 1 < starts.size(); ++w) {
    try {
      threads.emplace_back(CheckRange, env, std::cref(items), starts[w], starts[w + 1], true,
                           swap, std::cref(read_options), &outcomes, &done,
                           std::function<void()>());
    } catch (const std::system_error&) {
      // No thread to be had: this thread does the range.
      CheckRange(env, items, starts[w], starts[w + 1], false, swap, read_options, &outcomes,
                 &done, progress);
    }
  }
  CheckRange(env, items, starts[0], starts[1], false, swap, read_options, &outcomes, &done,
             progress);
  for (std::thread& t : threads) t.join();
  if (progress && !threads.empty()) progress();  // the other workers' bytes
  return outcomes;
}
}  // namespace

void CheckBundle(io::Env* env, const std::string& prefix, const ValidateOptions& options,
                 Report* r) {
  const std::string index_path = bundle::MetaFilename(prefix);
  r->files.push_back(index_path);
  // Files parked by an interrupted replacement (src/bundle/replace.h); none
  // while a save is running, whose parked files are transient.
  auto interrupted = bundle::InterruptedSaveFiles(env, prefix);
  const std::vector<std::string> parked =
      interrupted.ok() ? *interrupted : std::vector<std::string>();
  for (const std::string& f : parked) {
    Add(r, DefectCode::kInterruptedSave, f, std::nullopt, "",
        "left by an interrupted tfckpt save; bundle::RecoverInterruptedSave (run by the "
        "next save to this prefix) restores or removes it");
  }
  BundleError err;
  auto reader = bundle::BundleReader::Open(env, prefix, &err);
  if (!reader.ok()) {
    AddError(r, err);
    return;
  }
  const auto& header = (*reader)->header();
  const table::Footer& footer = (*reader)->index().footer();
  if (!footer.padding_is_zero || !footer.handles_canonical) {
    // TensorFlow ignores these bytes; a writer never produces them.
    const uint64_t footer_offset = (*reader)->index().file().Size() - table::kFooterLength;
    Add(r, DefectCode::kBadBlockHandle, index_path, footer_offset, "",
        !footer.padding_is_zero ? "table footer padding is not zero (bytes altered after writing?)"
                                : "table footer block handle uses a non-canonical varint");
  }
  CheckMixedShards(env, prefix, header.num_shards(), r);

  // Data files: each must exist.
  std::map<int, std::shared_ptr<const io::RandomAccessFile>> shards;
  for (int s = 0; s < header.num_shards(); ++s) {
    BundleError e;
    auto f = (*reader)->DataFile(s, &e);
    r->files.push_back(bundle::DataFilename(prefix, s, header.num_shards()));
    if (f.ok()) {
      shards[s] = *f;
    } else {
      AddError(r, e);
    }
  }

  // Parse every record first (cheap), then verify data.
  struct Item {
    std::string key;
    bundle::ParsedEntry entry;
  };
  std::vector<Item> data_items;
  std::map<std::string, bundle::ParsedEntry> partitioned;
  uint64_t total_bytes = 0;
  table::Table::Iterator it = (*reader)->index().NewIterator();
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    if (it.key().empty()) continue;
    bundle::ParsedEntry entry;
    BundleError e;
    if (!bundle::ParseEntry(it.key(), it.value(), header, index_path, &entry, &e).ok()) {
      AddError(r, e);
      continue;
    }
    if (entry.partitioned()) {
      partitioned.emplace(std::string(it.key()), std::move(entry));
    } else {
      total_bytes += static_cast<uint64_t>(entry.proto.size());
      data_items.push_back({std::string(it.key()), std::move(entry)});
    }
  }
  if (!it.status().ok()) {
    BundleError e;
    e.kind = BundleErrorKind::kTable;
    e.file = index_path;
    e.table_error = it.error();
    e.message = it.status().message();
    AddError(r, e);
  }

  // Tensor bytes: ranges and checksums, nothing materialised, possibly on
  // several threads; outcomes are reported in key order whatever the
  // thread count.
  std::vector<DataItem> items;
  items.reserve(data_items.size());
  for (const Item& item : data_items) {
    auto f = shards.find(item.entry.proto.shard_id());
    if (f == shards.end()) continue;  // SHARD_MISSING already reported
    items.push_back(DataItem{&item.key, &item.entry, f->second});
  }
  const std::vector<DataOutcome> outcomes =
      CheckTensorData(env, items, (*reader)->need_to_swap_bytes(), options, total_bytes);
  std::map<int, uint64_t> shard_end;  // furthest byte referenced per shard
  for (size_t i = 0; i < items.size(); ++i) {
    const DataItem& item = items[i];
    if (!outcomes[i].error.ok()) {
      AddError(r, outcomes[i].error);
    } else {
      ++r->tensors_checked;
      if (options.verify_data) r->bytes_checked += item.entry->proto.size();
    }
    // The bytes belong to the entry even when their checksum is wrong.
    const int shard = item.entry->proto.shard_id();
    const uint64_t end = item.entry->proto.offset() + item.entry->proto.size();
    shard_end[shard] = std::max(shard_end[shard], std::min<uint64_t>(end, item.file->Size()));
  }

  // Partitioned tensors: their slices must exist and cover them.
  for (const auto& [key, entry] : partitioned) {
    BundleError e;
    auto t = (*reader)->Lookup(key, &e);
    if (!t.ok()) {
      AddError(r, e);
    } else {
      ++r->tensors_checked;
    }
  }

  // Bytes past the last tensor of a shard that are not alignment padding.
  for (const auto& [shard, file] : shards) {
    const uint64_t end = shard_end.count(shard) ? shard_end[shard] : 0;
    const uint64_t size = file->Size();
    if (size > end) {
      bool zeros = size - end < 4096;
      if (zeros) {
        auto tail = file->ReadRegion(end, size - end);
        zeros = tail.ok();
        for (uint64_t i = 0; zeros && i < size - end; ++i) zeros = tail->data[i] == 0;
      }
      if (!zeros) {
        Add(r, DefectCode::kUnreferencedData, file->path(), end, "",
            StrCat(size - end, " bytes after the last tensor are not referenced by any entry"));
      }
    }
  }
}

}  // namespace tfckpt::check
