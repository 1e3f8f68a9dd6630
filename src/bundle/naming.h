// File names of a tensor bundle (docs/FORMATS.md §2.1):
//   <prefix>.index                      the metadata table
//   <prefix>.data-00000-of-00001        data shards (%05d-of-%05d)
#ifndef TFCKPT_BUNDLE_NAMING_H_
#define TFCKPT_BUNDLE_NAMING_H_

#include <optional>
#include <string>
#include <string_view>

namespace tfckpt::bundle {

std::string MetaFilename(std::string_view prefix);
std::string DataFilename(std::string_view prefix, int shard_id, int num_shards);

// What a user-supplied path names: "x.index" and "x.data-00000-of-00002"
// both mean prefix "x". nullopt if the path has neither suffix.
std::optional<std::string> PrefixFromBundleFilename(std::string_view path);

}  // namespace tfckpt::bundle

#endif  // TFCKPT_BUNDLE_NAMING_H_
