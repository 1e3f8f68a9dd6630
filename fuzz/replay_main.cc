// A main() for fuzz targets outside libFuzzer: runs LLVMFuzzerTestOneInput
// over every file named on the command line (directories recursively).
// Under `bazel test`, with no arguments, it replays the target's
// regressions (fuzz/regressions/<target>/) and the golden files: TF's
// (golden/tf-2.21/) and the defective catalogue (golden/bad/).
//
// Each file is replayed as it is and packed alone (fuzz_input.h), so a
// multi-file target sees it as its first file (a V1 checkpoint, an index);
// each `<prefix>.index` is also packed with its `<prefix>.data-*` shards,
// as pack_seeds packs a whole checkpoint. So every golden and every bad
// checkpoint reaches the bundle, V1, validator and SavedModel targets whole.
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

#include "fuzz/fuzz_input.h"

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

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The inputs made from one file: itself, packed alone, and for an index,
// packed with its data shards (files named <prefix>.data-*, sorted).
std::vector<std::string> InputsOf(const std::string& path, const std::vector<std::string>& all) {
  std::string bytes = ReadAll(path);
  std::vector<std::string> inputs = {bytes, tfckpt::fuzz::Pack({bytes})};
  if (EndsWith(path, ".index")) {
    const std::string data_prefix = path.substr(0, path.size() - 6) + ".data-";
    std::vector<std::string> parts = {bytes};
    for (const std::string& f : all) {
      if (f.compare(0, data_prefix.size(), data_prefix) == 0) parts.push_back(ReadAll(f));
    }
    if (parts.size() > 1) inputs.push_back(tfckpt::fuzz::Pack(parts));
  }
  return inputs;
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
  size_t replayed = 0;
  for (const std::string& f : files) {
    for (const std::string& input : InputsOf(f, files)) {
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
      ++replayed;
    }
  }
  std::printf("replayed %zu inputs from %zu files without a crash\n", replayed, files.size());
  return files.empty() && !roots.empty() && target != nullptr ? 1 : 0;
}
