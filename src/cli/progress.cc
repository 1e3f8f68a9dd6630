#include "src/cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "src/bundle/naming.h"
#include "src/path/model_path.h"

namespace tfckpt::cli {

Progress::Progress(std::string label, bool enabled)
    : label_(std::move(label)), enabled_(enabled && OnTerminal()), min_bytes_(MinBytes()) {}

Progress::~Progress() { Clear(); }

bool Progress::OnTerminal() { return isatty(STDOUT_FILENO) && isatty(STDERR_FILENO); }

uint64_t Progress::MinBytes() {
  const char* v = std::getenv("TFCKPT_PROGRESS_MIN_BYTES");
  if (v != nullptr && *v != '\0') {
    char* end = nullptr;
    const unsigned long long n = std::strtoull(v, &end, 10);
    if (*end == '\0') return n;
  }
  return 64ull << 20;
}

void Progress::Update(uint64_t done, uint64_t total) {
  if (!enabled_ || total <= min_bytes_) return;
  const int percent = static_cast<int>(done >= total ? 100 : done * 100 / total);
  if (percent == last_percent_ && drawn_) return;
  last_percent_ = percent;
  constexpr int kWidth = 30;
  const int filled = percent * kWidth / 100;
  std::fprintf(stderr, "\r%s [%s%s] %3d%% (%llu/%llu MiB)", label_.c_str(),
               std::string(filled, '#').c_str(), std::string(kWidth - filled, '.').c_str(),
               percent, static_cast<unsigned long long>(done >> 20),
               static_cast<unsigned long long>(total >> 20));
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::Clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

uint64_t WorkBytes(tensor::DataType dtype, const tensor::TensorShape& shape) {
  const int width = tensor::DataTypeSize(dtype);
  return static_cast<uint64_t>(shape.num_elements() > 0 ? shape.num_elements() : 0) *
         static_cast<uint64_t>(width > 0 ? width : 1);
}

namespace {

class CountedFile final : public io::RandomAccessFile {
 public:
  CountedFile(ReadCountingEnv* env, std::unique_ptr<io::RandomAccessFile> target)
      : env_(env), target_(std::move(target)) {}
  const std::string& path() const override { return target_->path(); }
  uint64_t Size() const override { return target_->Size(); }
  const char* MappedData() const override { return target_->MappedData(); }
  bool LendsRegions() const override { return target_->LendsRegions(); }
  std::string Identity() const override { return target_->Identity(); }
  StatusOr<io::Region> ReadRegion(uint64_t offset, size_t n) const override {
    auto r = target_->ReadRegion(offset, n);
    if (r.ok()) env_->Count(r->size);
    return r;
  }
  Status Read(uint64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    if (n <= ReadCountingEnv::kChunk) {
      TFCKPT_RETURN_IF_ERROR(target_->Read(offset, n, result, scratch));
      env_->Count(result->size());
      return OkStatus();
    }
    // In pieces into scratch (one contiguous result); stops at a short
    // piece (end of file) as a single read would.
    size_t got = 0;
    while (got < n) {
      const size_t want = std::min(ReadCountingEnv::kChunk, n - got);
      std::string_view piece;
      TFCKPT_RETURN_IF_ERROR(target_->Read(offset + got, want, &piece, scratch + got));
      if (piece.data() != scratch + got) std::memmove(scratch + got, piece.data(), piece.size());
      got += piece.size();
      env_->Count(piece.size());
      if (piece.size() < want) break;
    }
    *result = std::string_view(scratch, got);
    return OkStatus();
  }

 private:
  ReadCountingEnv* env_;
  std::unique_ptr<io::RandomAccessFile> target_;
};

uint64_t SizeOf(io::Env* env, const std::string& file) {
  auto size = env->GetFileSize(file);
  return size.ok() ? *size : 0;
}

}  // namespace

ReadCountingEnv::ReadCountingEnv(io::Env* target, std::function<void(uint64_t)> on_read)
    : io::EnvWrapper(target), on_read_(std::move(on_read)), owner_(std::this_thread::get_id()) {}

StatusOr<std::unique_ptr<io::RandomAccessFile>> ReadCountingEnv::NewRandomAccessFile(
    const std::string& path) {
  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<io::RandomAccessFile> f,
                          target()->NewRandomAccessFile(path));
  return std::unique_ptr<io::RandomAccessFile>(new CountedFile(this, std::move(f)));
}

void ReadCountingEnv::Count(uint64_t n) {
  const uint64_t total = read_ += n;
  if (std::this_thread::get_id() == owner_) on_read_(total);
}

ReadProgress::ReadProgress(std::string label, bool enabled, io::Env* target)
    : progress_(std::move(label), enabled),
      env_(target, [this](uint64_t read) { progress_.Update(read, total_); }) {}

void ReadProgress::SetTotal(uint64_t total) {
  total_ = total;
  progress_.Update(env_.bytes_read(), total_);
}

void ReadProgress::Finish() {
  progress_.Update(total_, total_);
  progress_.Clear();
}

uint64_t CheckpointBytes(io::Env* env, const std::string& checkpoint, bool v2, bool data) {
  if (checkpoint.empty()) return 0;
  uint64_t n = 0;
  if (v2) {
    n = SizeOf(env, bundle::MetaFilename(checkpoint));
    if (!data) return n;
  }
  auto files = env->Glob(v2 ? checkpoint + ".data-*" : checkpoint);
  if (files.ok()) {
    for (const std::string& f : *files) n += SizeOf(env, f);
  }
  return n;
}

uint64_t InputBytes(io::Env* env, const std::string& model, const std::string& checkpoint) {
  uint64_t n = 0;
  if (env->IsDirectory(model)) {
    for (const char* f : {"saved_model.pb", "saved_model.pbtxt", "export.meta"}) {
      n += n == 0 ? SizeOf(env, io::JoinPath(model, f)) : 0;
    }
  } else if (!model.empty()) {
    n += SizeOf(env, model);
  }
  if (checkpoint.empty()) return n;
  auto c = path::ResolveCheckpoint(env, checkpoint);
  if (c.ok()) n += CheckpointBytes(env, c->checkpoint, c->format == path::Format::kV2, true);
  return n;
}

}  // namespace tfckpt::cli
