#include "src/bundle/merge.h"

#include <algorithm>
#include <map>

#include "src/bundle/bundle_reader.h"
#include "src/bundle/entry.h"
#include "src/bundle/naming.h"
#include "src/bundle/replace.h"
#include "src/io/atomic_file.h"
#include "src/table/table_builder.h"

namespace tfckpt::bundle {

Status MergeBundles(io::Env* env, const std::vector<std::string>& prefixes,
                    const std::string& merged_prefix, const MergeOptions& options) {
  std::map<std::string, tensorflow::BundleEntryProto> merged;
  std::vector<std::string> data_files;  // old names, in new shard order
  std::vector<std::string> merged_inputs;
  tensorflow::BundleHeaderProto first_header;
  for (const std::string& prefix : prefixes) {
    if (!env->FileExists(MetaFilename(prefix))) {
      if (options.allow_missing_files) continue;
      return InvalidArgumentError(StrCat("Missing input bundle index ", MetaFilename(prefix),
                                         " when merging into ", merged_prefix));
    }
    TFCKPT_ASSIGN_OR_RETURN(auto reader, BundleReader::Open(env, prefix));
    const auto& header = reader->header();
    if (merged_inputs.empty()) {
      first_header = header;
    } else {
      if (header.endianness() != first_header.endianness()) {
        return InvalidArgumentError(StrCat(
            "Merging bundles with conflicting endianness; inputs corrupted? (", prefix, ")"));
      }
      if (header.version().SerializeAsString() != first_header.version().SerializeAsString()) {
        return InvalidArgumentError(StrCat("Merging bundles with different format versions: merged ",
                                           first_header.version().ShortDebugString(), " vs. curr ",
                                           header.version().ShortDebugString(), " (", prefix, ")"));
      }
    }
    const int base = static_cast<int>(data_files.size());
    for (int i = 0; i < header.num_shards(); ++i) {
      data_files.push_back(DataFilename(prefix, i, header.num_shards()));
    }
    table::Table::Iterator it = reader->index().NewIterator();
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
      if (it.key().empty()) continue;
      ParsedEntry entry;
      TFCKPT_RETURN_IF_ERROR(ParseEntry(it.key(), it.value(), header, MetaFilename(prefix),
                                        &entry, nullptr));
      const std::string key(it.key());
      auto existing = merged.find(key);
      if (existing != merged.end()) {
        tensorflow::BundleEntryProto& e = existing->second;
        if (e.slices_size() == 0 || !entry.partitioned()) {
          return InvalidArgumentError(StrCat("Duplicate tensor keyed by ", DisplayKey(key),
                                             " encountered, when merging prefix: ", prefix));
        }
        if (e.dtype() != entry.proto.dtype() ||
            e.shape().SerializeAsString() != entry.proto.shape().SerializeAsString()) {
          return InvalidArgumentError(StrCat("Partitioned tensor ", DisplayKey(key),
                                             " has a different dtype or shape in ", prefix));
        }
        for (const auto& s : entry.proto.slices()) *e.add_slices() = s;
        continue;
      }
      if (!entry.partitioned()) entry.proto.set_shard_id(base + entry.proto.shard_id());
      merged.emplace(key, std::move(entry.proto));
    }
    TFCKPT_RETURN_IF_ERROR(it.status());
    merged_inputs.push_back(prefix);
  }
  if (merged_inputs.empty()) {
    return InvalidArgumentError(StrCat("No input bundle exists to merge into ", merged_prefix));
  }

  const std::string dir = io::Dirname(merged_prefix);
  if (!dir.empty()) TFCKPT_RETURN_IF_ERROR(env->CreateDirRecursively(dir));
  // Replacing a checkpoint: park it so a crash leaves old or new whole.
  // (When the destination is itself one of the inputs, its files are
  // consumed by the merge and there is nothing separate to keep.)
  bool parked = false;
  if (std::find(merged_inputs.begin(), merged_inputs.end(), merged_prefix) == merged_inputs.end()) {
    TFCKPT_RETURN_IF_ERROR(RecoverInterruptedSave(env, merged_prefix));
    TFCKPT_RETURN_IF_ERROR(RemoveStaleTempFiles(env, merged_prefix));
    TFCKPT_RETURN_IF_ERROR(ParkExisting(env, merged_prefix, &parked));
  }
  const int num_shards = static_cast<int>(data_files.size());
  for (int i = 0; i < num_shards; ++i) {
    const std::string to = DataFilename(merged_prefix, i, num_shards);
    if (data_files[i] != to) TFCKPT_RETURN_IF_ERROR(env->RenameFile(data_files[i], to));
  }
  // The data renames must be durable before the index that names them.
  TFCKPT_RETURN_IF_ERROR(env->SyncDir(dir));

  auto index = io::AtomicFileWriter::Create(env, MetaFilename(merged_prefix));
  if (!index.ok()) return index.status();
  table::Options topts;
  topts.compression = options.index_compression;
  table::TableBuilder builder(topts, (*index)->file());
  tensorflow::BundleHeaderProto header = first_header;
  header.set_num_shards(num_shards);
  TFCKPT_RETURN_IF_ERROR(builder.Add("", header.SerializeAsString()));
  for (const auto& [key, entry] : merged) {
    TFCKPT_RETURN_IF_ERROR(builder.Add(key, entry.SerializeAsString()));
  }
  TFCKPT_RETURN_IF_ERROR(builder.Finish());
  TFCKPT_RETURN_IF_ERROR((*index)->Seal());
  // Open until the parked files are gone (SaveInProgress).
  TFCKPT_RETURN_IF_ERROR((*index)->Publish(/*keep_open=*/parked));
  if (parked) TFCKPT_RETURN_IF_ERROR(DropParked(env, merged_prefix));
  TFCKPT_RETURN_IF_ERROR((*index)->Close());
  for (const std::string& prefix : merged_inputs) {
    if (MetaFilename(prefix) != MetaFilename(merged_prefix)) {
      env->DeleteFile(MetaFilename(prefix)).IgnoreError();
    }
  }
  return OkStatus();
}

}  // namespace tfckpt::bundle
