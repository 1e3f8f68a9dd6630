#include "src/io/read_fault_env.h"

namespace tfckpt::io {
namespace {

class FaultRandomAccessFile final : public RandomAccessFile {
 public:
  FaultRandomAccessFile(ReadFaultEnv* env, std::unique_ptr<RandomAccessFile> target)
      : env_(env), target_(std::move(target)) {}
  const std::string& path() const override { return target_->path(); }
  uint64_t Size() const override { return target_->Size(); }
  Status Read(uint64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    TFCKPT_RETURN_IF_ERROR(env_->MaybeFail("read", path()));
    return target_->Read(offset, n, result, scratch);
  }
  std::string Identity() const override { return target_->Identity(); }
  bool LendsRegions() const override { return target_->LendsRegions(); }
  StatusOr<Region> ReadRegion(uint64_t offset, size_t n) const override {
    TFCKPT_RETURN_IF_ERROR(env_->MaybeFail("read region", path()));
    return target_->ReadRegion(offset, n);
  }

 private:
  ReadFaultEnv* env_;
  std::unique_ptr<RandomAccessFile> target_;
};

}  // namespace

void ReadFaultEnv::FailRead(int64_t n) {
  std::lock_guard<std::mutex> l(mu_);
  remaining_ = n;
  failed_paths_.clear();
  fault_.clear();
}

std::string ReadFaultEnv::fault() const {
  std::lock_guard<std::mutex> l(mu_);
  return fault_;
}

bool ReadFaultEnv::injected() const {
  std::lock_guard<std::mutex> l(mu_);
  return !failed_paths_.empty();
}

Status ReadFaultEnv::MaybeFail(const char* op, const std::string& path) {
  ++reads_;
  std::lock_guard<std::mutex> l(mu_);
  bool fail = failed_paths_.count(path) > 0;
  if (remaining_ == 0) {
    fail = true;
    failed_paths_.insert(path);
    fault_ = StrCat(op, " ", path);
  }
  if (remaining_ >= 0) --remaining_;
  if (!fail) return OkStatus();
  return DataLossError(StrCat(path, ": injected read fault (", op, ")"));
}

StatusOr<std::unique_ptr<RandomAccessFile>> ReadFaultEnv::NewRandomAccessFile(
    const std::string& path) {
  TFCKPT_RETURN_IF_ERROR(MaybeFail("open", path));
  TFCKPT_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> f, target()->NewRandomAccessFile(path));
  return std::unique_ptr<RandomAccessFile>(new FaultRandomAccessFile(this, std::move(f)));
}

StatusOr<uint64_t> ReadFaultEnv::GetFileSize(const std::string& path) {
  TFCKPT_RETURN_IF_ERROR(MaybeFail("size", path));
  return target()->GetFileSize(path);
}

StatusOr<std::vector<std::string>> ReadFaultEnv::GetChildren(const std::string& dir) {
  TFCKPT_RETURN_IF_ERROR(MaybeFail("list", dir));
  return target()->GetChildren(dir);
}

}  // namespace tfckpt::io
