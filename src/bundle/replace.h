// Replacing an existing checkpoint without ever exposing a mix of old and
// new files. TensorFlow overwrites `<prefix>.index` and the data files in
// place, so a crash in between leaves an index that points at the wrong
// bytes. tfckpt parks the old checkpoint first:
//
//   ParkExisting   <prefix>.data-*       -> <prefix>.data-*.tfckpt-old
//                  <prefix>.index        -> <prefix>.index.tfckpt-old   (last)
//   ... publish the new data files, then the new index ...
//   DropParked     delete the parked data files, then the parked index
//
// After a crash, RecoverInterruptedSave decides from what is on disk:
// parked data without a parked index: interrupted while parking (unpark);
// a parked index beside a live index: the new checkpoint is complete (drop
// the parked files); a parked index alone: interrupted while publishing
// (delete the live data files, which are the new save's, then leave a
// `<prefix>.tfckpt-rollback` marker and unpark; the marker makes an
// interrupted recovery safe to run again). BundleWriter and
// MergeBundles run it before writing, and `tfckpt validate` reports parked
// files as INTERRUPTED_SAVE.
#ifndef TFCKPT_BUNDLE_REPLACE_H_
#define TFCKPT_BUNDLE_REPLACE_H_

#include <string>

#include "src/io/env.h"
#include "src/io/status.h"

namespace tfckpt::bundle {

std::string ParkedName(const std::string& path);

// Parks the checkpoint at `prefix` if it has an index; *parked says whether.
Status ParkExisting(io::Env* env, const std::string& prefix, bool* parked);
// Deletes the parked files (after the new checkpoint is in place).
Status DropParked(io::Env* env, const std::string& prefix);
// Completes or rolls back an interrupted replacement (see above).
Status RecoverInterruptedSave(io::Env* env, const std::string& prefix);

}  // namespace tfckpt::bundle

#endif  // TFCKPT_BUNDLE_REPLACE_H_
