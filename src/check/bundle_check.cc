#include "src/check/bundle_check.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <system_error>
#include <thread>

#include "src/bundle/bundle_reader.h"
#include "src/bundle/entry.h"
#include "src/bundle/naming.h"
#include "src/bundle/replace.h"
#include "src/bundle/tensor_data.h"
#include "src/table/table.h"
#include "src/tensor/tensor_slice.h"

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
    case BundleErrorKind::kBadVariant: return DefectCode::kBadVariant;
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
  r->Add(Defect{code, std::move(file), offset, std::move(key), std::move(message)});
}

void AddError(Report* r, const BundleError& e) {
  const std::optional<uint64_t> offset =
      e.offset ? e.offset
               : (e.kind == BundleErrorKind::kTable ? std::optional<uint64_t>(e.table_error.offset)
                                                    : std::nullopt);
  Add(r, CodeFor(e), e.file, offset, e.key.empty() ? "" : bundle::DisplayKey(e.key), e.message);
}

// The files beside a prefix that its index may or may not account for.
struct Neighbours {
  bool listed = false;             // false: the directory could not be listed
  std::set<int> shards;            // data files numbered i-of-num_shards, i < num_shards
  std::vector<std::string> mixed;  // data files numbered for another shard count
  std::vector<std::string> stray;  // numbered for this count but i >= num_shards, or
                                   // not spelled as a writer spells them
  std::vector<std::string> temp;   // `.tempstate*` files no process is writing
};

// Parses "<digits>-of-<digits>" (the tail of a data file name).
bool ParseShardName(std::string_view s, int64_t* shard, int64_t* count) {
  const size_t of = s.find("-of-");
  if (of == std::string_view::npos || of == 0 || of + 4 == s.size()) return false;
  const auto number = [](std::string_view d, int64_t* out) {
    if (d.size() > 12) return false;
    *out = 0;
    for (char c : d) {
      if (c < '0' || c > '9') return false;
      *out = *out * 10 + (c - '0');
    }
    return true;
  };
  return number(s.substr(0, of), shard) && number(s.substr(of + 4), count);
}

// One directory listing, so the cost is the directory's size, never the
// shard count the index claims.
Neighbours ListNeighbours(io::Env* env, const std::string& prefix, int num_shards, Report* r) {
  Neighbours n;
  const std::string dir = io::Dirname(prefix);
  const std::string base = io::Basename(prefix);
  auto children = env->GetChildren(dir.empty() ? "." : dir);
  if (!children.ok()) {
    Add(r, DefectCode::kIoError, dir.empty() ? "." : dir, std::nullopt, "",
        StrCat("cannot list the directory of ", prefix, " (data shards, stray and temporary "
               "files not checked): ", children.status().message()));
    return n;
  }
  n.listed = true;
  const std::string data_stem = base + ".data-";
  for (const std::string& name : *children) {
    if (name.compare(0, base.size() + 1, base + ".") != 0) continue;
    const std::string path = io::JoinPath(dir, name);
    if (name.find(".tempstate") != std::string::npos) {
      // One a running save is writing is not stale.
      if (!env->HasLiveWriter(path)) n.temp.push_back(path);
      continue;
    }
    int64_t shard, count;
    if (name.compare(0, data_stem.size(), data_stem) != 0 ||
        !ParseShardName(std::string_view(name).substr(data_stem.size()), &shard, &count)) {
      continue;
    }
    if (count != num_shards) {
      n.mixed.push_back(path);
    } else if (shard >= num_shards || path != bundle::DataFilename(prefix, shard, num_shards)) {
      n.stray.push_back(path);
    } else {
      n.shards.insert(static_cast<int>(shard));
    }
  }
  return n;
}

void ReportNeighbours(const Neighbours& n, int num_shards, Report* r) {
  for (const std::string& f : n.mixed) {
    Add(r, DefectCode::kMixedShards, f, std::nullopt, "",
        StrCat("data file of another save: the index says ", num_shards,
               " shard(s), this file is numbered for a different count"));
  }
  for (const std::string& f : n.stray) {
    Add(r, DefectCode::kStrayShard, f, std::nullopt, "",
        StrCat("data file the index does not name: it has shards 0..", num_shards - 1, " of ",
               num_shards, " (left by another save, or copied in by mistake?)"));
  }
  for (const std::string& f : n.temp) {
    Add(r, DefectCode::kStaleTempFile, f, std::nullopt, "",
        "temporary file of a save that was killed before renaming it into place (no "
        "process is writing it); not part of the checkpoint, the next save removes it");
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

// A failed read that left no BundleError still fails: I/O error.
void FillIoError(const Status& s, const DataItem& item, BundleError* e) {
  if (s.ok() || !e->ok()) return;
  e->kind = BundleErrorKind::kIoError;
  e->file = item.file->path();
  e->key = *item.key;
  e->offset = static_cast<uint64_t>(item.entry->proto.offset());
  e->message = StrCat("reading the ", item.entry->proto.size(), " bytes of ",
                      bundle::DisplayKey(*item.key), " failed: ", s.message());
}

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
    BundleError* error = &(*outcomes)[i].error;
    FillIoError(bundle::ReadTensorData(*item.key, *item.entry, file, swap, read_options, &unused,
                                       error),
                item, error);
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
// Entries whose bytes overlap those of an entry at a lower offset in the
// same data file (BUNDLE-3.9; TensorFlow's writers append each tensor after
// the last). Each is reported once, naming the entry whose bytes it shares,
// and its bytes are not read: n entries claiming one range would otherwise
// cost n checksums of it, so the bytes read stay within the files' size.
// Entries reaching past their file are left to ReadTensorData, which
// refuses them without reading. Returns, per item, whether to check it.
std::vector<bool> ReportOverlaps(const std::vector<DataItem>& items, Report* r) {
  std::vector<bool> check(items.size(), true);
  const auto begin_of = [&](size_t i) {
    return static_cast<uint64_t>(items[i].entry->proto.offset());
  };
  const auto end_of = [&](size_t i) {
    return begin_of(i) + static_cast<uint64_t>(items[i].entry->proto.size());
  };
  std::map<const io::RandomAccessFile*, std::vector<size_t>> by_file;
  for (size_t i = 0; i < items.size(); ++i) {
    const uint64_t size = items[i].file->Size();
    const uint64_t n = static_cast<uint64_t>(items[i].entry->proto.size());
    if (n == 0 || begin_of(i) > size || n > size - begin_of(i)) continue;
    by_file[items[i].file.get()].push_back(i);
  }
  for (auto& [file, order] : by_file) {
    // Ties keep key order: the first key at an offset is the one checked.
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return begin_of(a) < begin_of(b); });
    size_t owner = order[0];  // the entry reaching furthest so far
    for (size_t k = 1; k < order.size(); ++k) {
      const size_t i = order[k];
      if (begin_of(i) < end_of(owner)) {
        check[i] = false;
        Add(r, DefectCode::kOverlappingData, file->path(), begin_of(i),
            bundle::DisplayKey(*items[i].key),
            StrCat("bytes [", begin_of(i), ", ", std::min(end_of(i), end_of(owner)),
                   ") of this entry's [", begin_of(i), ", ", end_of(i), ") are also claimed by ",
                   bundle::DisplayKey(*items[owner].key), " at [", begin_of(owner), ", ",
                   end_of(owner), "); a writer never lets entries share bytes (its checksum "
                   "is not computed: each byte is read once)"));
      }
      if (end_of(i) > end_of(owner)) owner = i;
    }
  }
  return check;
}

// Bytes [begin, end) of `file` that no entry references: fine when they
// are alignment padding (fewer than 4096 zero bytes), else reported (a
// removed entry, or bytes appended after writing).
void CheckUnreferenced(const io::RandomAccessFile& file, uint64_t begin, uint64_t end, bool tail,
                       Report* r) {
  constexpr uint64_t kMaxPadding = 4096;
  bool zeros = end - begin < kMaxPadding;
  if (zeros) {
    auto bytes = file.ReadRegion(begin, end - begin);
    if (!bytes.ok()) {
      Add(r, DefectCode::kIoError, file.path(), begin, "",
          StrCat("reading ", end - begin, " unreferenced bytes failed: ",
                 bytes.status().message()));
      return;
    }
    for (uint64_t i = 0; zeros && i < end - begin; ++i) zeros = bytes->data[i] == 0;
  }
  if (zeros) return;
  Add(r, DefectCode::kUnreferencedData, file.path(), begin, "",
      tail ? StrCat(end - begin, " bytes after the last tensor are not referenced by any entry")
           : StrCat(end - begin, " bytes between tensors (up to offset ", end,
                    ") are not referenced by any entry (an entry removed from the index?)"));
}

}  // namespace

void CheckBundle(io::Env* env, const std::string& prefix, const ValidateOptions& options,
                 Report* r) {
  const std::string index_path = bundle::MetaFilename(prefix);
  r->files.push_back(index_path);
  // Files parked by an interrupted replacement (src/bundle/replace.h); none
  // while a save is running, whose parked files are transient.
  auto interrupted = bundle::InterruptedSaveFiles(env, prefix);
  if (!interrupted.ok()) {
    Add(r, DefectCode::kIoError, io::Dirname(prefix), std::nullopt, "",
        StrCat("cannot look for the parked files of ", prefix, ": ",
               interrupted.status().message()));
  }
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
  const int num_shards = header.num_shards();
  const Neighbours neighbours = ListNeighbours(env, prefix, num_shards, r);
  ReportNeighbours(neighbours, num_shards, r);

  // Data files: each must exist. Absent ones are found from the listing
  // (without it, by trying to open each) and listed up to the per-file
  // limit, then counted in one defect of the index.
  std::map<int, std::shared_ptr<const io::RandomAccessFile>> shards;
  const size_t cap = options.max_defects_per_file;
  uint64_t missing = 0;
  const auto open = [&](int s) {
    BundleError e;
    auto f = (*reader)->DataFile(s, &e);
    if (f.ok()) {
      r->files.push_back(bundle::DataFilename(prefix, s, num_shards));
      shards[s] = *f;
    } else if (cap == 0 || missing++ < cap) {
      AddError(r, e);
    }
  };
  if (neighbours.listed) {
    for (int s = 0; s < num_shards && (cap == 0 || missing < cap); ++s) {
      if (neighbours.shards.count(s) != 0) continue;
      Add(r, DefectCode::kShardMissing, bundle::DataFilename(prefix, s, num_shards), std::nullopt,
          "", StrCat("Data file for shard ", s, " of ", num_shards, " does not exist"));
      ++missing;
    }
    missing = static_cast<uint64_t>(num_shards) - neighbours.shards.size();
    for (int s : neighbours.shards) open(s);
  } else {
    for (int s = 0; s < num_shards; ++s) open(s);
  }
  if (cap != 0 && missing > cap) {
    Add(r, DefectCode::kShardMissing, index_path, std::nullopt, "",
        StrCat(missing - cap, " more of the ", num_shards,
               " data files the index names are missing (", cap, " listed)"));
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
  // Overlapping entries are reported, and only the others' bytes checked.
  const std::vector<bool> check = ReportOverlaps(items, r);
  std::vector<DataItem> checked;
  std::set<std::string> unchecked_keys;
  for (size_t i = 0; i < items.size(); ++i) {
    if (check[i]) {
      checked.push_back(items[i]);
    } else {
      total_bytes -= static_cast<uint64_t>(items[i].entry->proto.size());
      unchecked_keys.insert(*items[i].key);
    }
  }
  const std::vector<DataOutcome> outcomes =
      CheckTensorData(env, checked, (*reader)->need_to_swap_bytes(), options, total_bytes);
  // Byte ranges referenced per shard (clamped to the file: the bytes
  // belong to the entry even when their checksum is wrong or it is cut).
  std::map<int, std::vector<std::pair<uint64_t, uint64_t>>> ranges;
  for (size_t i = 0, o = 0; i < items.size(); ++i) {
    const DataItem& item = items[i];
    if (!check[i]) {
      // OVERLAPPING_DATA reported; its bytes are another entry's.
    } else if (!outcomes[o++].error.ok()) {
      AddError(r, outcomes[o - 1].error);
    } else {
      ++r->tensors_checked;
      if (options.verify_data) r->bytes_checked += item.entry->proto.size();
    }
    const uint64_t size = item.file->Size();
    const uint64_t begin = std::min<uint64_t>(item.entry->proto.offset(), size);
    const uint64_t end = std::min<uint64_t>(begin + item.entry->proto.size(), size);
    if (end > begin) ranges[item.entry->proto.shard_id()].emplace_back(begin, end);
  }

  // Partitioned tensors: their slices must exist and cover them.
  for (const auto& [key, entry] : partitioned) {
    // A slice whose bytes overlap another entry's is not read again.
    bool overlapping = false;
    for (const tensor::TensorSlice& slice : entry.slices) {
      overlapping |= unchecked_keys.count(tensor::EncodeTensorNameSlice(key, slice)) != 0;
    }
    if (overlapping) continue;
    BundleError e;
    auto t = (*reader)->Lookup(key, &e);
    if (!t.ok()) {
      if (e.ok()) {
        e.kind = BundleErrorKind::kIoError;
        e.file = index_path;
        e.key = key;
        e.message = t.status().message();
      }
      AddError(r, e);
    } else {
      ++r->tensors_checked;
    }
  }

  // Bytes of a shard between or after the tensors.
  for (const auto& [shard, file] : shards) {
    auto& rs = ranges[shard];
    std::sort(rs.begin(), rs.end());
    uint64_t cursor = 0;
    for (const auto& [begin, end] : rs) {
      if (begin > cursor) CheckUnreferenced(*file, cursor, begin, false, r);
      cursor = std::max(cursor, end);
    }
    if (file->Size() > cursor) CheckUnreferenced(*file, cursor, file->Size(), true, r);
  }
}

}  // namespace tfckpt::check
