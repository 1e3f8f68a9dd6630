#include "src/io/atomic_file.h"

#include "src/io/status.h"

namespace tfckpt::io {

StatusOr<std::unique_ptr<AtomicFileWriter>> AtomicFileWriter::Create(
    Env* env, const std::string& final_path) {
  const std::string dir = Dirname(final_path);
  if (!dir.empty()) {
    Status s = env->CreateDirRecursively(dir);
    if (!s.ok()) return s;
  }
  std::string temp = StrCat(final_path, ".tempstate", RandomUint64());
  auto file = env->NewWritableFile(temp);
  if (!file.ok()) return file.status();
  return std::unique_ptr<AtomicFileWriter>(new AtomicFileWriter(
      env, final_path, std::move(temp), std::move(*file)));
}

AtomicFileWriter::AtomicFileWriter(Env* env, std::string final_path,
                                   std::string temp_path,
                                   std::unique_ptr<WritableFile> file)
    : env_(env),
      final_path_(std::move(final_path)),
      temp_path_(std::move(temp_path)),
      file_(std::move(file)) {}

AtomicFileWriter::~AtomicFileWriter() {
  if (!closed_ && file_ != nullptr) file_->Close().IgnoreError();
  if (!published_) env_->DeleteFile(temp_path_).IgnoreError();
}

Status AtomicFileWriter::Seal() {
  if (sealed_) return OkStatus();
  Status s = file_->Sync();
  if (!s.ok()) {
    return Status(s.code(), StrCat("while writing ", final_path_,
                                               ": ", s.message()));
  }
  sealed_ = true;
  return OkStatus();
}

Status AtomicFileWriter::Close() {
  if (closed_ || file_ == nullptr) return OkStatus();
  closed_ = true;
  return file_->Close();
}

Status AtomicFileWriter::Publish(bool keep_open) {
  if (!sealed_) {
    return FailedPreconditionError(
        StrCat(final_path_, ": Publish() before Seal()"));
  }
  Status s = env_->RenameFile(temp_path_, final_path_);
  if (!s.ok()) return s;
  published_ = true;
  // Closed only now: until renamed, the open file (its flock) tells other
  // saves that this temp file is not a killed save's (Env::HasLiveWriter).
  if (!keep_open) TFCKPT_RETURN_IF_ERROR(Close());
  return env_->SyncDir(Dirname(final_path_));
}

Status WriteFileAtomically(Env* env, const std::string& path,
                                 std::string_view contents) {
  auto w = AtomicFileWriter::Create(env, path);
  if (!w.ok()) return w.status();
  Status s = (*w)->file()->Append(contents);
  if (!s.ok()) return s;
  return (*w)->Commit();
}

}  // namespace tfckpt::io
