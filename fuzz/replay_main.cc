// A main() for fuzz targets outside libFuzzer: runs LLVMFuzzerTestOneInput
// over every file named on the command line (directories recursively).
// Under `bazel test`, with no arguments, it replays the target's
// regressions (fuzz/regressions/<target>/) and the golden seed files.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

void Collect(const std::string& path, std::vector<std::string>* out) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return;
  if (!S_ISDIR(st.st_mode)) {
    out->push_back(path);
    return;
  }
  DIR* d = opendir(path.c_str());
  if (d == nullptr) return;
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    const std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) Collect(path + "/" + n, out);
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::string> roots(argv + 1, argv + argc);
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* target = std::getenv("TFCKPT_FUZZ_TARGET");
  if (roots.empty() && srcdir != nullptr && target != nullptr) {
    roots.push_back(std::string(srcdir) + "/tfckpt/fuzz/regressions/" + target);
    roots.push_back(std::string(srcdir) + "/tfckpt/golden");
  }
  std::vector<std::string> files;
  for (const std::string& r : roots) Collect(r, &files);
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("replayed %zu inputs without a crash\n", files.size());
  return files.empty() && !roots.empty() && target != nullptr ? 1 : 0;
}
