// Write-to-temp-then-rename, so that a crash or error mid-write never leaves
// a half-written file under the final name and never damages the file that
// was there before. Temp names follow TensorFlow: `<final>.tempstate<random>`.
//
//   auto w = AtomicFileWriter::Create(env, "model.ckpt.index");
//   (*w)->file()->Append(...);
//   (*w)->Seal();     // flush + fsync the temp file
//   (*w)->Publish();  // rename over the final name, close, fsync the directory
//
// Seal and Publish are separate so a multi-file save (index + data) can seal
// every file before renaming any. Destroying an unpublished writer deletes
// its temp file (best effort). The temp file stays open until published, so
// Env::HasLiveWriter tells it from a killed save's.
#ifndef TFCKPT_IO_ATOMIC_FILE_H_
#define TFCKPT_IO_ATOMIC_FILE_H_

#include <memory>
#include <string>

#include "src/io/env.h"

namespace tfckpt::io {

class AtomicFileWriter {
 public:
  static StatusOr<std::unique_ptr<AtomicFileWriter>> Create(
      Env* env, const std::string& final_path);
  ~AtomicFileWriter();

  WritableFile* file() { return file_.get(); }
  const std::string& final_path() const { return final_path_; }
  const std::string& temp_path() const { return temp_path_; }

  Status Seal();
  // Renames, closes (unless keep_open) and syncs the directory. A file kept
  // open still tells Env::HasLiveWriter that its save is running, under its
  // final name, until Close() or destruction.
  Status Publish(bool keep_open = false);
  Status Close();
  Status Commit() {
    Status s = Seal();
    return s.ok() ? Publish() : s;
  }

 private:
  AtomicFileWriter(Env* env, std::string final_path, std::string temp_path,
                   std::unique_ptr<WritableFile> file);
  Env* env_;
  std::string final_path_;
  std::string temp_path_;
  std::unique_ptr<WritableFile> file_;
  bool sealed_ = false;
  bool published_ = false;
  bool closed_ = false;
};

// One-shot helper for small files (the `checkpoint` state file, .meta, .pb).
Status WriteFileAtomically(Env* env, const std::string& path,
                                 std::string_view contents);

}  // namespace tfckpt::io

#endif  // TFCKPT_IO_ATOMIC_FILE_H_
