#include "conformance/oracle/api_corpus.h"

#include <limits.h>
#include <stdlib.h>

#include <fstream>

#include "conformance/oracle/api_case.h"
#include "nlohmann/json.hpp"
#include "src/io/env.h"

namespace tfckpt::conformance {

StatusOr<std::vector<std::string>> WriteApiCorpus(const std::string& out_dir) {
  TFCKPT_RETURN_IF_ERROR(io::Env::Default()->CreateDirRecursively(out_dir));
  char buf[PATH_MAX];
  if (realpath(out_dir.c_str(), buf) == nullptr) {
    return InternalError(StrCat("realpath failed for ", out_dir));
  }
  const std::string root = buf;
  using Writer = void (*)(const std::string&);
  const std::vector<std::pair<std::string, Writer>> writers = {
      {"saver_v2", api::WriteSaverV2Case},
      {"saver_v1", api::WriteSaverV1Case},
      {"rename_partial", api::WriteRenamePartialCase},
      {"sharded", api::WriteShardedCase},
      {"partitioned", api::WritePartitionedCase},
      {"ema", api::WriteEmaCase},
      {"meta_graph_collections", api::WriteMetaGraphCollectionsCase},
      {"field_binding", api::WriteFieldBindingCase},
      {"simple_save", api::WriteSimpleSaveCase},
      {"saved_model_builder", api::WriteBuilderCase},
      {"frozen_mlp", api::WriteFrozenMlpCase},
  };
  std::vector<std::string> names;
  for (const auto& [name, write] : writers) {
    try {
      write(root);
    } catch (const api::ApiCorpusError& e) {
      return e.status.WithContext(StrCat("case ", name));
    }
    names.push_back(name);
  }
  nlohmann::json index = {
      {"schema_version", 1}, {"writer", "tfckpt write_api_corpus"}, {"cases", names}};
  std::ofstream(root + "/index.json") << index.dump(1) << "\n";
  return names;
}

}  // namespace tfckpt::conformance
