// Builds seed corpora for the multi-file fuzzers from checkpoints on disk:
//   pack_seeds OUT_DIR PREFIX...   (V2 prefixes; V1 files are packed alone)
// Each seed is fuzz_input.h's packed form: index, data shard(s).
#include <cstdio>
#include <fstream>

#include "fuzz/fuzz_input.h"
#include "src/bundle/naming.h"
#include "src/io/env.h"

int main(int argc, char** argv) {
  using namespace tfckpt;
  if (argc < 3) {
    std::fprintf(stderr, "usage: pack_seeds OUT_DIR PREFIX...\n");
    return 2;
  }
  io::Env* env = io::Env::Default();
  int n = 0;
  for (int i = 2; i < argc; ++i) {
    const std::string prefix = argv[i];
    std::vector<std::string> parts;
    auto index = env->ReadFileToString(bundle::MetaFilename(prefix));
    if (index.ok()) {
      parts.push_back(*index);
      auto shards = env->Glob(prefix + ".data-" "?????" "-of-" "?????");
      for (const std::string& s : shards.ok() ? *shards : std::vector<std::string>{}) {
        auto d = env->ReadFileToString(s);
        if (d.ok()) parts.push_back(*d);
      }
    } else if (auto v1 = env->ReadFileToString(prefix); v1.ok()) {
      parts.push_back(*v1);
    } else {
      continue;
    }
    std::ofstream out(std::string(argv[1]) + "/seed-" + std::to_string(n++), std::ios::binary);
    out << fuzz::Pack(parts);
  }
  std::printf("wrote %d seeds\n", n);
  return 0;
}
