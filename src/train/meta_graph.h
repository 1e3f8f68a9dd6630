// export_meta_graph / import_meta_graph (tensorflow/python/framework/
// meta_graph.py, training/saver.py) over a train::Graph.
//
// Export writes what TF 2.21 writes, byte for byte when TF's graph is
// reproduced (deterministic serialization, as graph_io.write_graph):
//  - graph_def: export_scoped_meta_graph's two paths.
//    * No ExportOptions::graph_def (tf.compat.v1.train.export_meta_graph):
//      unfiltered, as_graph_def(add_shapes) = ToGraphDef (control inputs
//      sorted, `_output_shapes` on nodes with outputs); with export_scope
//      or clear_devices, the Python NodeDefs in creation order (control
//      inputs as added) plus `_output_shapes`, no `library`.
//    * ExportOptions::graph_def given (Saver.export_meta_graph passes
//      as_graph_def(add_shapes=True): AsGraphDefForExport): used as is;
//      filtered, a new GraphDef with its versions, its `library` copied
//      (present even if empty, as Python's CopyFrom) and its nodes.
//    versions.producer 2474; export_scope keeps the nodes under the scope
//    and strips it (inputs from outside become "$unbound_inputs_<name>",
//    listed in the collection "unbound_inputs", which is also added to the
//    graph, as TF does); clear_devices empties devices;
//    strip_default_attrs drops attrs equal to their OpDef default and sets
//    meta_info_def.stripped_default_attrs.
//  - meta_info_def: stripped_op_list (the OpDefs of the ops used, sorted,
//    from the registry, else from the op list of the meta graph the ops were
//    imported from), tensorflow_version "2.21.0" and tensorflow_git_version
//    "v2.21.0-rc1-5-ga481b10260d" (options: tfckpt writes graphs TF 2.21
//    reads as its own).
//  - saver_def if given; collections (add_collection_def): variable
//    collections as VariableDef bytes_list, proto items (CollectionItem::
//    Proto: "savers", cond_context...) as bytes_list, tensors and operations
//    as node_list, int64 / float / bytes / str / Any items (int64_list,
//    float_list, bytes_list, any_list: CollectionItem::Any, e.g.
//    `saved_model_assets`' Any(AssetFileDef)) by the kind of the first item
//    (mixed kinds drop the collection, as TF logs and drops it); with
//    export_scope only items under the scope (bytes, numbers and Any are
//    kept as is; a "savers" SaverDef outside the scope is dropped, inside
//    it its names are stripped, as Saver.to_proto).
//
// Import (ImportMetaGraph): the graph via train::ImportGraphDef with
// name = import_scope (no scope: no prefix), clear_devices, input_map;
// "Graph contains unbound inputs: $unbound_inputs_x. Must provide these
// inputs through input_map."; collections restored (variables from their
// VariableDefs, node_list as tensors/operations, bytes and floats with the
// scope prepended as TF does -- a non-UTF-8 bytes value under an
// import_scope is TF's UnicodeDecodeError "'utf-8' codec can't decode byte
// 0xff in position 0: invalid start byte"; any_list items as
// CollectionItem::Any, unchanged under a scope -- prepend_name_scope's
// TypeError is caught and the item kept -- and also returned in
// ImportedMetaGraph::any_collections; "savers" SaverDefs get the scope
// prepended to their names, as Saver.from_proto); returns a Saver from the
// saver_def with names under the scope, else a default Saver if there are
// variables, else none.
#ifndef TFCKPT_TRAIN_META_GRAPH_H_
#define TFCKPT_TRAIN_META_GRAPH_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/any.pb.h>

#include "proto/meta_graph.pb.h"
#include "proto/saver.pb.h"
#include "src/io/env.h"
#include "src/train/graph_builder.h"
#include "src/train/saver.h"
#include "src/train/variables.h"

namespace tfckpt::train {

struct ExportOptions {
  std::string filename;  // written (atomically) if non-empty
  bool as_text = false;
  std::optional<std::vector<std::string>> collection_list;  // nullopt: all
  std::string export_scope;
  bool clear_devices = false;
  bool strip_default_attrs = false;
  // `_output_shapes` on every node with outputs (as_graph_def(add_shapes=True),
  // what TF always writes).
  bool add_shapes = true;
  std::optional<tensorflow::SaverDef> saver_def;
  // TF's `graph_def` argument (see above); nullopt: built from the graph.
  std::optional<tensorflow::GraphDef> graph_def;
  std::string unbound_inputs_col_name = "unbound_inputs";
  std::string tensorflow_version = "2.21.0";
  std::string tensorflow_git_version = "v2.21.0-rc1-5-ga481b10260d";
  std::vector<std::string> tags;
  io::Env* env = nullptr;
};

StatusOr<tensorflow::MetaGraphDef> ExportMetaGraph(Graph* g, const ExportOptions& options = {});

// Writes a MetaGraphDef as TF does: binary (deterministic) or text format.
Status WriteMetaGraph(io::Env* env, const std::string& path,
                      const tensorflow::MetaGraphDef& meta, bool as_text = false);
// read_meta_graph_file: binary, else text format; NotFound "File does not
// exist. Received: <path>." for a missing file.
StatusOr<tensorflow::MetaGraphDef> ReadMetaGraphFile(const std::string& path,
                                                     io::Env* env = nullptr);

struct ImportMetaGraphOptions {
  std::string import_scope;
  bool clear_devices = false;
  std::map<std::string, Output> input_map;
  std::vector<std::string> return_elements;
  std::string unbound_inputs_col_name = "unbound_inputs";
  // Options of the returned Saver (env, clock...).
  SaverOptions saver_options;
};

struct ImportedMetaGraph {
  std::unique_ptr<Saver> saver;              // nullptr if no variables
  std::map<std::string, Variable> var_list;  // name without scope -> variable
  std::vector<Output> return_tensors;        // of return_elements, when tensors
  // The any_list collections, key -> items (also in the graph as
  // CollectionItem::Any).
  std::map<std::string, std::vector<google::protobuf::Any>> any_collections;
};

StatusOr<ImportedMetaGraph> ImportMetaGraph(Graph* g, const tensorflow::MetaGraphDef& meta,
                                            const ImportMetaGraphOptions& options = {});
StatusOr<ImportedMetaGraph> ImportMetaGraph(Graph* g, const std::string& path,
                                            const ImportMetaGraphOptions& options = {});

// Graph.as_graph_def(add_shapes=True), what Saver.export_meta_graph hands
// export_meta_graph as graph_def: control inputs sorted, `_output_shapes`.
tensorflow::GraphDef AsGraphDefForExport(const Graph& g);

// The Any of an any_list item (CollectionItem::Any), e.g. to add an
// Any.Pack(AssetFileDef) to a collection.
CollectionItem AnyItem(const google::protobuf::Any& any);

// The stripped OpList of the ops a GraphDef uses.
tensorflow::OpList StrippedOpListForGraph(const Graph& g, const tensorflow::GraphDef& graph_def);

}  // namespace tfckpt::train

#endif  // TFCKPT_TRAIN_META_GRAPH_H_
