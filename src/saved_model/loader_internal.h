// What the loaders share (loader.cc: SavedModel, MetaGraph, frozen graph;
// session_bundle.cc: legacy session bundles). Not part of the API.
#ifndef TFCKPT_SAVED_MODEL_LOADER_INTERNAL_H_
#define TFCKPT_SAVED_MODEL_LOADER_INTERNAL_H_

#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/message.h>

#include "proto/meta_graph.pb.h"
#include "src/io/env.h"
#include "src/io/status.h"
#include "src/saved_model/loader.h"

namespace tfckpt::saved_model {

io::Env* EnvOf(const LoadOptions& o);

// Binary, then (if allowed) text format. Errors name the file.
Status ReadProto(io::Env* env, const std::string& path, google::protobuf::Message* msg,
                 bool binary, bool text);

// Builds bundles; a friend of Bundle.
class Loader {
 public:
  // A bundle whose session runs `graph_def` (meta is kept without it).
  static StatusOr<std::unique_ptr<Bundle>> NewBundle(ModelKind kind, const std::string& path,
                                                     const std::string& file,
                                                     tensorflow::MetaGraphDef meta,
                                                     const tensorflow::GraphDef& graph_def,
                                                     const LoadOptions& options);
  // A tensor name the MetaGraph uses must name an output of a node.
  static Status CheckTensor(const Bundle& b, const std::string& file, const std::string& what,
                            const std::string& name);
  static Status CheckTarget(const Bundle& b, const std::string& file, const std::string& what,
                            const std::string& name);
  // Adds <assets_dir>/<filename> feeds (deduplicated by tensor).
  static Status AddAssets(Bundle* b, const std::string& file, const std::string& assets_dir,
                          const std::vector<tensorflow::AssetFileDef>& assets);
  static Status Restore(Bundle* b, const std::string& file, const std::string& prefix);
  static Status RunInit(Bundle* b, const std::string& file, const std::string& op,
                        const std::string& source);

  static StatusOr<std::unique_ptr<Bundle>> SavedModel(const std::string& dir,
                                                      const std::vector<std::string>& tags,
                                                      const LoadOptions& options);
  static StatusOr<std::unique_ptr<Bundle>> MetaGraph(const std::string& meta_path,
                                                     const std::string& checkpoint,
                                                     const LoadOptions& options);
  static StatusOr<std::unique_ptr<Bundle>> SessionBundle(const std::string& dir,
                                                         const LoadOptions& options);
  static StatusOr<std::unique_ptr<Bundle>> Frozen(const std::string& path,
                                                  const LoadOptions& options);

 private:
  // The serving_signatures collection up-converted to SignatureDefs.
  static Status AddLegacySignatures(Bundle* b, const std::string& file,
                                    const tensorflow::MetaGraphDef& m);
};

}  // namespace tfckpt::saved_model

#endif  // TFCKPT_SAVED_MODEL_LOADER_INTERNAL_H_
