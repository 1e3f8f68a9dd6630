#include "src/bundle/naming.h"

#include <cstdio>

namespace tfckpt::bundle {

std::string MetaFilename(std::string_view prefix) {
  return std::string(prefix) + ".index";
}

std::string DataFilename(std::string_view prefix, int shard_id, int num_shards) {
  char suffix[64];
  std::snprintf(suffix, sizeof(suffix), ".data-%05d-of-%05d", shard_id, num_shards);
  return std::string(prefix) + suffix;
}

std::optional<std::string> PrefixFromBundleFilename(std::string_view path) {
  constexpr std::string_view kIndex = ".index";
  if (path.size() > kIndex.size() &&
      path.substr(path.size() - kIndex.size()) == kIndex) {
    return std::string(path.substr(0, path.size() - kIndex.size()));
  }
  // ".data-" then digits "-of-" digits at the end.
  const size_t pos = path.rfind(".data-");
  if (pos == std::string_view::npos || pos == 0) return std::nullopt;
  std::string_view rest = path.substr(pos + 6);
  const size_t of = rest.find("-of-");
  if (of == std::string_view::npos || of == 0 || of + 4 >= rest.size()) return std::nullopt;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (i >= of && i < of + 4) continue;
    if (rest[i] < '0' || rest[i] > '9') return std::nullopt;
  }
  return std::string(path.substr(0, pos));
}

}  // namespace tfckpt::bundle
