#include "src/bundle/replace.h"

#include <map>
#include <set>

#include "src/bundle/naming.h"

namespace tfckpt::bundle {
namespace {

constexpr char kParkedSuffix[] = ".tfckpt-old";
// Left by tfckpt before the index-first order (its rollback marker).
constexpr char kLegacyRollbackMarker[] = ".tfckpt-rollback";

StatusOr<std::vector<std::string>> DataFiles(io::Env* env, const std::string& prefix) {
  return env->Glob(prefix + ".data-" "?????" "-of-" "?????");
}

StatusOr<std::vector<std::string>> ParkedDataFiles(io::Env* env, const std::string& prefix) {
  return env->Glob(prefix + ".data-" "?????" "-of-" "?????" + kParkedSuffix);
}

std::string Unparked(const std::string& parked) {
  return parked.substr(0, parked.size() - (sizeof(kParkedSuffix) - 1));
}

// "N" of a data file name "<prefix>.data-KKKKK-of-NNNNN[.tfckpt-old]".
std::string ShardCount(const std::string& prefix, const std::string& data_file) {
  return data_file.substr(prefix.size() + 15, 5);
}

// Whether `files` (live data file names) are shards 0..N-1 of one N.
bool CompleteSet(const std::string& prefix, const std::vector<std::string>& files) {
  if (files.empty()) return false;
  const std::string n = ShardCount(prefix, files[0]);
  const int count = std::stoi(n);
  if (count != static_cast<int>(files.size())) return false;
  for (int k = 0; k < count; ++k) {
    if (files[k] != DataFilename(prefix, k, count)) return false;  // sorted by Glob
  }
  return true;
}

Status WithBackup(const Status& s, const std::string& prefix, const std::string& action) {
  if (s.ok()) return s;
  return Status(s.code(), StrCat("recovering an interrupted save of ", prefix, " (", action,
                                 "; the previous checkpoint is parked as ",
                                 ParkedName(MetaFilename(prefix)), " and ", prefix,
                                 ".data-*", kParkedSuffix, "): ", s.message()));
}

// Interrupted before the commit point: put the parked checkpoint back.
Status RollBack(io::Env* env, const std::string& prefix, const std::string& dir,
                const std::vector<std::string>& parked) {
  const std::string index = MetaFilename(prefix);
  if (!parked.empty()) {
    // Parked data exists, so every old shard is parked or still live under
    // its own name; the live files that are neither are the new save's.
    std::set<std::string> twins;
    for (const std::string& f : parked) twins.insert(Unparked(f));
    const std::string old_count = ShardCount(prefix, parked[0]);
    TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> live, DataFiles(env, prefix));
    for (const std::string& f : live) {
      if (ShardCount(prefix, f) != old_count) {
        TFCKPT_RETURN_IF_ERROR(WithBackup(env->DeleteFile(f), prefix, "deleting " + f));
      }
    }
    // Over the new save's files of the same names, atomically.
    for (const std::string& f : parked) {
      TFCKPT_RETURN_IF_ERROR(WithBackup(env->RenameFile(f, Unparked(f)), prefix,
                                        "restoring " + Unparked(f)));
    }
    TFCKPT_RETURN_IF_ERROR(WithBackup(env->SyncDir(dir), prefix, "syncing " + dir));
  }
  TFCKPT_RETURN_IF_ERROR(
      WithBackup(env->RenameFile(ParkedName(index), index), prefix, "restoring " + index));
  return WithBackup(env->SyncDir(dir), prefix, "syncing " + dir);
}

}  // namespace

std::string ParkedName(const std::string& path) { return path + kParkedSuffix; }

Status ParkExisting(io::Env* env, const std::string& prefix, bool* parked) {
  *parked = false;
  const std::string index = MetaFilename(prefix);
  const std::string dir = io::Dirname(prefix);
  if (!env->FileExists(index)) return OkStatus();
  TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> data, DataFiles(env, prefix));
  if (!CompleteSet(prefix, data)) {
    TFCKPT_RETURN_IF_ERROR(env->DeleteFile(index));
    return env->SyncDir(dir);
  }
  // The index first: from here until the new index is published, no index
  // names these data files, so readers never pair them with another index.
  TFCKPT_RETURN_IF_ERROR(env->RenameFile(index, ParkedName(index)));
  TFCKPT_RETURN_IF_ERROR(env->SyncDir(dir));
  *parked = true;
  for (const std::string& f : data) TFCKPT_RETURN_IF_ERROR(env->RenameFile(f, ParkedName(f)));
  return env->SyncDir(dir);
}

Status DropParked(io::Env* env, const std::string& prefix) {
  // Data before the index (synced between), so every state on the way
  // still reads as "new complete".
  TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> data, ParkedDataFiles(env, prefix));
  for (const std::string& f : data) TFCKPT_RETURN_IF_ERROR(env->DeleteFile(f));
  const std::string index = ParkedName(MetaFilename(prefix));
  if (!env->FileExists(index)) return OkStatus();
  if (!data.empty()) TFCKPT_RETURN_IF_ERROR(env->SyncDir(io::Dirname(prefix)));
  return env->DeleteFile(index);
}

Status RecoverInterruptedSave(io::Env* env, const std::string& prefix) {
  const std::string index = MetaFilename(prefix);
  const std::string dir = io::Dirname(prefix);
  const std::string marker = prefix + kLegacyRollbackMarker;
  TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> parked, ParkedDataFiles(env, prefix));
  if (env->FileExists(ParkedName(index))) {
    if (env->FileExists(index)) {  // the new checkpoint is complete
      return WithBackup(DropParked(env, prefix), prefix, "dropping the backup");
    }
    TFCKPT_RETURN_IF_ERROR(RollBack(env, prefix, dir, parked));
  } else {
    for (const std::string& f : parked) {
      const std::string live = Unparked(f);
      Status s = env->FileExists(live) ? env->DeleteFile(f) : env->RenameFile(f, live);
      TFCKPT_RETURN_IF_ERROR(WithBackup(s, prefix, "restoring " + live));
    }
    if (!parked.empty()) {
      TFCKPT_RETURN_IF_ERROR(WithBackup(env->SyncDir(dir), prefix, "syncing " + dir));
    }
  }
  if (env->FileExists(marker)) {
    TFCKPT_RETURN_IF_ERROR(WithBackup(env->DeleteFile(marker), prefix, "deleting " + marker));
  }
  return OkStatus();
}

StatusOr<std::vector<std::string>> TempFiles(io::Env* env, const std::string& prefix) {
  std::vector<std::string> out;
  for (const std::string& pattern :
       {MetaFilename(prefix) + ".tempstate*", prefix + ".data-" "?????" "-of-" "?????" ".tempstate*"}) {
    TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> found, env->Glob(pattern));
    for (std::string& f : found) {
      const std::string suffix = f.substr(f.rfind(".tempstate") + 10);
      if (!suffix.empty() && suffix.find_first_not_of("0123456789") == std::string::npos) {
        out.push_back(std::move(f));
      }
    }
  }
  return out;
}

Status RemoveStaleTempFiles(io::Env* env, const std::string& prefix) {
  TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> temps, TempFiles(env, prefix));
  for (const std::string& f : temps) {
    if (env->HasLiveWriter(f)) continue;
    Status s = env->DeleteFile(f);
    if (!s.ok() && s.code() != StatusCode::kNotFound) {
      return Status(s.code(), StrCat("removing ", f, ", left by a killed save: ", s.message()));
    }
  }
  return OkStatus();
}

bool SaveInProgress(io::Env* env, const std::string& prefix) {
  // The temp files before the index: the index temp file becomes the index
  // by a rename, so one of the two looks sees it.
  auto temps = TempFiles(env, prefix);
  if (!temps.ok()) return true;  // cannot tell
  for (const std::string& f : *temps) {
    if (env->HasLiveWriter(f)) return true;
  }
  return env->HasLiveWriter(MetaFilename(prefix));
}

namespace {
StatusOr<std::vector<std::string>> Parked(io::Env* env, const std::string& prefix) {
  std::vector<std::string> out;
  if (env->FileExists(ParkedName(MetaFilename(prefix)))) {
    out.push_back(ParkedName(MetaFilename(prefix)));
  }
  TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> data, ParkedDataFiles(env, prefix));
  out.insert(out.end(), data.begin(), data.end());
  return out;
}
}  // namespace

StatusOr<std::vector<std::string>> InterruptedSaveFiles(io::Env* env, const std::string& prefix) {
  // A save holds a writer from before it parks until after it drops the
  // parked files, so "no save, parked files, still no save, the same parked
  // files" means they outlived the save that made them. (A save starting
  // and finishing between two looks would need both within microseconds.)
  if (SaveInProgress(env, prefix)) return std::vector<std::string>();
  TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> parked, Parked(env, prefix));
  if (parked.empty() || SaveInProgress(env, prefix)) return std::vector<std::string>();
  TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> again, Parked(env, prefix));
  if (again != parked) return std::vector<std::string>();
  return parked;
}

}  // namespace tfckpt::bundle
