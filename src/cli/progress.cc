#include "src/cli/progress.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

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

}  // namespace tfckpt::cli
