#include "src/cli/tag_hint.h"

#include <algorithm>

#include "src/cli/suggest.h"
#include "src/saved_model/loader.h"

namespace tfckpt::cli {

Status WithTagHint(const Status& status, const std::string& export_dir,
                   const std::vector<std::string>& tags) {
  if (status.code() != StatusCode::kNotFound ||
      status.message().find("MetaGraphDef associated with tags") == std::string::npos) {
    return status;
  }
  std::vector<std::string> known;
  if (auto sm = saved_model::ReadSavedModel(export_dir); sm.ok()) {
    for (const auto& mg : sm->meta_graphs()) {
      for (const std::string& t : mg.meta_info_def().tags()) {
        if (std::find(known.begin(), known.end(), t) == known.end()) known.push_back(t);
      }
    }
  }
  std::string hint;
  for (const std::string& t : tags) {
    if (std::find(known.begin(), known.end(), t) != known.end()) continue;
    const std::string dym = DidYouMean(t, known);
    if (!dym.empty()) hint += StrCat(" Tag '", t, "'", dym, ".");
  }
  return Status(status.code(), StrCat(status.message(), hint, " (`tfckpt show ", export_dir,
                                      "` lists the tag-sets and their signatures.)"));
}

}  // namespace tfckpt::cli
