#include "src/bundle/replace.h"

#include "src/bundle/naming.h"
#include "src/io/atomic_file.h"

namespace tfckpt::bundle {
namespace {

constexpr char kParkedSuffix[] = ".tfckpt-old";

StatusOr<std::vector<std::string>> DataFiles(io::Env* env, const std::string& prefix) {
  return env->Glob(prefix + ".data-" "?????" "-of-" "?????");
}

StatusOr<std::vector<std::string>> ParkedDataFiles(io::Env* env, const std::string& prefix) {
  return env->Glob(prefix + ".data-" "?????" "-of-" "?????" + kParkedSuffix);
}

std::string Unparked(const std::string& parked) {
  return parked.substr(0, parked.size() - (sizeof(kParkedSuffix) - 1));
}

}  // namespace

std::string ParkedName(const std::string& path) { return path + kParkedSuffix; }

Status ParkExisting(io::Env* env, const std::string& prefix, bool* parked) {
  *parked = false;
  const std::string index = MetaFilename(prefix);
  if (!env->FileExists(index)) return OkStatus();
  // Data files first, the index last: a parked index then means "parking
  // completed", and parked data without a parked index means "interrupted
  // while parking" (RecoverInterruptedSave tells the cases apart).
  TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> data, DataFiles(env, prefix));
  for (const std::string& f : data) TFCKPT_RETURN_IF_ERROR(env->RenameFile(f, ParkedName(f)));
  TFCKPT_RETURN_IF_ERROR(env->RenameFile(index, ParkedName(index)));
  *parked = true;
  return env->SyncDir(io::Dirname(prefix));
}

Status DropParked(io::Env* env, const std::string& prefix) {
  // Data before the index, so a crash here still reads as "new complete".
  TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> data, ParkedDataFiles(env, prefix));
  for (const std::string& f : data) TFCKPT_RETURN_IF_ERROR(env->DeleteFile(f));
  const std::string index = ParkedName(MetaFilename(prefix));
  if (env->FileExists(index)) TFCKPT_RETURN_IF_ERROR(env->DeleteFile(index));
  return OkStatus();
}

Status RecoverInterruptedSave(io::Env* env, const std::string& prefix) {
  const std::string index = MetaFilename(prefix);
  const std::string marker = prefix + ".tfckpt-rollback";
  TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> parked, ParkedDataFiles(env, prefix));
  if (!env->FileExists(ParkedName(index))) {
    // Interrupted while parking (nothing new was published), or after a
    // rollback's last step: unpark what is parked.
    for (const std::string& f : parked) TFCKPT_RETURN_IF_ERROR(env->RenameFile(f, Unparked(f)));
    if (env->FileExists(marker)) TFCKPT_RETURN_IF_ERROR(env->DeleteFile(marker));
    return OkStatus();
  }
  if (env->FileExists(index)) return DropParked(env, prefix);  // the new one is complete
  // Interrupted while publishing. The live data files are the new save's
  // until the marker exists; after it, they are old ones already unparked
  // by an interrupted rollback. So recovery can itself be interrupted.
  if (!env->FileExists(marker)) {
    TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> fresh, DataFiles(env, prefix));
    for (const std::string& f : fresh) TFCKPT_RETURN_IF_ERROR(env->DeleteFile(f));
    TFCKPT_RETURN_IF_ERROR(io::WriteFileAtomically(env, marker, ""));
  }
  for (const std::string& f : parked) TFCKPT_RETURN_IF_ERROR(env->RenameFile(f, Unparked(f)));
  TFCKPT_RETURN_IF_ERROR(env->RenameFile(ParkedName(index), index));
  TFCKPT_RETURN_IF_ERROR(env->DeleteFile(marker));
  return env->SyncDir(io::Dirname(prefix));
}

}  // namespace tfckpt::bundle
