// Replacing an existing checkpoint so that neither a crash nor a concurrent
// reader ever sees a mix of old and new files (docs/FORMATS.md §2.7).
// TensorFlow overwrites `<prefix>.index` and the data files in place; two
// renames cannot be one atomic step, so tfckpt orders them around the index,
// the commit point, like a sequence lock:
//
//   ParkExisting   <prefix>.index   -> <prefix>.index.tfckpt-old   (FIRST), sync dir
//                  <prefix>.data-*  -> <prefix>.data-*.tfckpt-old, sync dir
//   publish        new data files, sync dir; then the new index, sync dir
//   DropParked     delete the parked data files, sync dir, then the parked index
//
// So while `<prefix>.index` names a file, the data files beside it are that
// index's: they change only while the index name is empty. A reader that
// opens the index, then every data file, then finds the same file still
// under the index name holds a consistent pair (it retries otherwise); a
// reader that finds no index but a parked one reads the parked checkpoint,
// the previous one, which stays whole until the new index is in place
// (BundleReader::Open).
//
// After a crash, RecoverInterruptedSave decides from what is on disk:
//  - a parked index beside a live index: the new checkpoint is complete;
//    drop the parked files;
//  - a parked index alone: interrupted before the commit point; roll back:
//    delete the live data files that belong to the new save (those whose
//    parked twin exists, or whose shard count differs from the parked
//    files'), rename the parked data over the live names, then the parked
//    index (last). Each step leaves a state this same rule handles, so an
//    interrupted recovery can simply be run again;
//  - parked data without a parked index (a save by an older tfckpt that
//    parked data first, or lost deletes): unpark a data file whose live name
//    is free, delete it otherwise.
// BundleWriter and MergeBundles run it before writing; `tfckpt validate`
// reports parked files as INTERRUPTED_SAVE. Only one writer per prefix at a
// time is supported (as with TensorFlow).
#ifndef TFCKPT_BUNDLE_REPLACE_H_
#define TFCKPT_BUNDLE_REPLACE_H_

#include <string>
#include <vector>

#include "src/io/env.h"
#include "src/io/status.h"

namespace tfckpt::bundle {

std::string ParkedName(const std::string& path);

// Parks the checkpoint at `prefix` if it has an index; *parked says whether.
// An index whose data files are not a complete set (`-of-N` for one N, all
// N present) cannot be restored by a rollback, so it is deleted instead of
// parked (the save replaces it, as TF's would) and *parked stays false.
Status ParkExisting(io::Env* env, const std::string& prefix, bool* parked);
// Deletes the parked files (after the new checkpoint is in place).
Status DropParked(io::Env* env, const std::string& prefix);
// Completes or rolls back an interrupted replacement (see above). Errors
// name the parked backup.
Status RecoverInterruptedSave(io::Env* env, const std::string& prefix);
// Deletes the temp files (`<prefix>.index.tempstate<digits>`,
// `<prefix>.data-NNNNN-of-NNNNN.tempstate<digits>`) that killed saves left,
// full-size, beside the checkpoint: those no process has open for writing
// (io::Env::HasLiveWriter; tfckpt's writers keep theirs open and locked
// until renamed). Where the Env cannot tell, nothing is deleted. A
// TensorFlow process saving to the same prefix at the same time does not
// lock its temp files; two writers of one prefix are unsupported anyway.
Status RemoveStaleTempFiles(io::Env* env, const std::string& prefix);
// The temp files of `prefix` as above, whether stale or not.
StatusOr<std::vector<std::string>> TempFiles(io::Env* env, const std::string& prefix);

// Whether a tfckpt save of `prefix` is running: one of its temp files, or
// the index it has just published (kept open until the parked files are
// dropped), has a live writer (io::Env::HasLiveWriter).
bool SaveInProgress(io::Env* env, const std::string& prefix);
// The parked files of an interrupted save of `prefix`: empty if there are
// none, or while a save is running (its parked files are transient, not a
// sign of a crash). For `tfckpt validate`'s INTERRUPTED_SAVE.
StatusOr<std::vector<std::string>> InterruptedSaveFiles(io::Env* env, const std::string& prefix);

}  // namespace tfckpt::bundle

#endif  // TFCKPT_BUNDLE_REPLACE_H_
