#include "src/train/meta_graph.h"

#include <algorithm>
#include <set>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>

#include "src/train/import_graph_def.h"
#include "src/io/atomic_file.h"
#include "src/train/proto_serialize.h"

namespace tfckpt::train {
namespace {

constexpr char kUnboundInputPrefix[] = "$unbound_inputs_";

io::Env* EnvOr(io::Env* env) { return env != nullptr ? env : io::Env::Default(); }

bool ShouldInclude(const std::string& name, const std::string& scope) {
  return name.rfind(kUnboundInputPrefix, 0) == 0 || scope.empty() || name.rfind(scope, 0) == 0;
}

bool ShouldIncludeItem(const CollectionItem& c, const std::string& scope) {
  switch (c.kind) {
    case CollectionItem::Kind::kVariable:
    case CollectionItem::Kind::kTensor:
    case CollectionItem::Kind::kOperation:
      return ShouldInclude(c.ElementName(), scope);
    case CollectionItem::Kind::kString:
      return ShouldInclude(c.text, scope);
    default:
      return true;
  }
}

// meta_graph._node_def.
tensorflow::NodeDef NodeForExport(const tensorflow::NodeDef& from, const std::string& scope,
                                  std::vector<std::string>* unbound, bool clear_devices) {
  tensorflow::NodeDef n = from;
  for (int i = 0; i < n.input_size(); ++i) {
    const std::string& in = n.input(i);
    const bool control = !in.empty() && in[0] == '^';
    const std::string bare = control ? in.substr(1) : in;
    if (!scope.empty() && bare.rfind(scope, 0) != 0) {
      const std::string renamed = StrCat(control ? "^" : "", kUnboundInputPrefix, bare);
      n.set_input(i, renamed);
      unbound->push_back(renamed);
    } else {
      n.set_input(i, StripNameScope(in, scope));
    }
  }
  n.set_name(StripNameScope(from.name(), scope));
  auto cls = n.mutable_attr()->find("_class");
  if (cls != n.mutable_attr()->end()) {
    tensorflow::AttrValue v;
    v.mutable_list();
    for (const auto& s : from.attr().at("_class").list().s()) {
      const size_t at = s.find('@');
      if (!scope.empty() && (at == std::string::npos || s.substr(at + 1).rfind(scope, 0) != 0)) {
        continue;
      }
      v.mutable_list()->add_s(StripNameScope(s, scope));
    }
    cls->second = v;
  }
  if (clear_devices) n.clear_device();
  return n;
}

// Saver.to_proto(export_scope): nullopt (left out) unless the SaverDef's
// three names are under the scope, which is stripped from them.
std::optional<std::string> SaverDefToProto(const std::string& bytes, const std::string& scope) {
  tensorflow::SaverDef def;
  if (!def.ParseFromString(bytes)) return bytes;  // not ours to judge: kept as is
  for (const std::string* n :
       {&def.filename_tensor_name(), &def.save_tensor_name(), &def.restore_op_name()}) {
    if (n->rfind(scope, 0) != 0) return std::nullopt;
  }
  def.set_filename_tensor_name(StripNameScope(def.filename_tensor_name(), scope));
  def.set_save_tensor_name(StripNameScope(def.save_tensor_name(), scope));
  def.set_restore_op_name(StripNameScope(def.restore_op_name(), scope));
  return SerializeLikeTensorFlow(def);
}

// Saver.from_proto(import_scope): the scope prepended to the names.
StatusOr<std::string> SaverDefFromProto(const std::string& bytes, const std::string& scope) {
  tensorflow::SaverDef def;
  if (!def.ParseFromString(bytes)) {
    return DataLossError("Collection savers holds an invalid SaverDef");
  }
  def.set_filename_tensor_name(PrependNameScope(def.filename_tensor_name(), scope));
  def.set_save_tensor_name(PrependNameScope(def.save_tensor_name(), scope));
  def.set_restore_op_name(PrependNameScope(def.restore_op_name(), scope));
  return SerializeLikeTensorFlow(def);
}

// add_collection_def; false: the collection is dropped (TF logs a warning).
bool AddCollectionDef(Graph* g, const std::string& key, const std::string& scope,
                      tensorflow::MetaGraphDef* meta) {
  std::vector<CollectionItem> items;
  for (const CollectionItem& c : g->GetCollection(key)) {
    if (ShouldIncludeItem(c, scope)) items.push_back(c);
  }
  if (items.empty()) return true;
  tensorflow::CollectionDef def;
  using Kind = CollectionItem::Kind;
  if (GraphKeys::IsVariableCollection(key)) {
    auto* list = def.mutable_bytes_list();
    for (const CollectionItem& c : items) {
      if (c.kind != Kind::kVariable) return false;
      auto proto = Variable(g, c.variable).ToProto(scope);
      if (proto) list->add_value(proto->SerializeAsString());
    }
  } else if (items[0].kind == Kind::kProto) {
    for (const CollectionItem& c : items) {
      if (c.kind != Kind::kProto) return false;
      if (key == GraphKeys::kSavers && !scope.empty()) {
        std::optional<std::string> proto = SaverDefToProto(c.text, scope);
        if (proto) def.mutable_bytes_list()->add_value(*proto);
      } else {
        def.mutable_bytes_list()->add_value(c.text);
      }
    }
    // All left out: TF still wrote collection_def[key] (an empty CollectionDef).
  } else {
    switch (items[0].kind) {
      case Kind::kBytes:
      case Kind::kString:
        for (const CollectionItem& c : items) {
          if (c.kind != Kind::kBytes && c.kind != Kind::kString) return false;
          def.mutable_bytes_list()->add_value(c.text);
        }
        break;
      case Kind::kInt64:
        for (const CollectionItem& c : items) {
          if (c.kind != Kind::kInt64) return false;
          def.mutable_int64_list()->add_value(c.i);
        }
        break;
      case Kind::kAny:
        for (const CollectionItem& c : items) {
          if (c.kind != Kind::kAny) return false;
          auto* any = def.mutable_any_list()->add_value();
          any->set_type_url(c.type_url);
          any->set_value(c.text);
        }
        break;
      case Kind::kFloat:
        for (const CollectionItem& c : items) {
          if (c.kind == Kind::kFloat) {
            def.mutable_float_list()->add_value(static_cast<float>(c.f));
          } else if (c.kind == Kind::kInt64) {
            def.mutable_float_list()->add_value(static_cast<float>(c.i));
          } else {
            return false;
          }
        }
        break;
      default: {
        auto* list = def.mutable_node_list();
        for (const CollectionItem& c : items) {
          const std::string name = c.ElementName();
          if (name.empty()) return false;
          if (scope.empty() || name.rfind(scope, 0) == 0) {
            list->add_value(StripNameScope(name, scope));
          }
        }
      }
    }
  }
  (*meta->mutable_collection_def())[key] = std::move(def);
  return true;
}

void StripDefaultAttrs(const Graph& g, tensorflow::GraphDef* graph_def) {
  for (auto& node : *graph_def->mutable_node()) {
    const graph::OpRegistration* reg = g.registry().Find(node.op());
    if (reg == nullptr) continue;
    for (const auto& a : reg->op_def.attr()) {
      auto it = node.attr().find(a.name());
      if (a.has_default_value() && it != node.attr().end() &&
          google::protobuf::util::MessageDifferencer::Equals(a.default_value(), it->second)) {
        node.mutable_attr()->erase(a.name());
      }
    }
  }
}

// Python's bytes.decode("utf-8") error text, "" if valid.
std::string Utf8Error(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  for (size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    int len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    }
    char hex[8];
    std::snprintf(hex, sizeof(hex), "0x%02x", c);
    if (len == 0) {
      return StrCat("'utf-8' codec can't decode byte ", hex, " in position ", i,
                    ": invalid start byte");
    }
    for (int k = 1; k < len; ++k) {
      if (i + k >= n) {
        return StrCat("'utf-8' codec can't decode byte ", hex, " in position ", i,
                      ": unexpected end of data");
      }
      const unsigned char d = p[i + k];
      const unsigned char min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xBF;
      if (d < min || d > max) {
        return StrCat("'utf-8' codec can't decode byte ", hex, " in position ", i,
                      ": invalid continuation byte");
      }
    }
    i += len;
  }
  return "";
}

bool VersionAtLeast19(const std::string& v) {
  if (v.empty()) return true;
  int major = 0, minor = 0;
  if (std::sscanf(v.c_str(), "%d.%d", &major, &minor) < 1) return true;
  return major > 1 || (major == 1 && minor >= 9);
}

}  // namespace

tensorflow::OpList StrippedOpListForGraph(const Graph& g, const tensorflow::GraphDef& graph_def) {
  std::set<std::string> used;
  for (const auto& n : graph_def.node()) used.insert(n.op());
  tensorflow::OpList list;
  for (const std::string& op : used) {
    const graph::OpRegistration* reg = g.registry().Find(op);
    // TF's own OpDef when the graph came from TF, else the registry's.
    const tensorflow::OpDef* def = g.ImportedOpDef(op);
    if (def == nullptr && reg != nullptr) def = &reg->op_def;
    if (def == nullptr) continue;
    tensorflow::OpDef* out = list.add_op();
    *out = *def;
    out->clear_summary();
    out->clear_description();
    for (auto& a : *out->mutable_input_arg()) a.clear_description();
    for (auto& a : *out->mutable_output_arg()) a.clear_description();
    for (auto& a : *out->mutable_attr()) a.clear_description();
  }
  return list;
}

Status WriteMetaGraph(io::Env* env, const std::string& path, const tensorflow::MetaGraphDef& meta,
                      bool as_text) {
  std::string data;
  if (as_text) {
    data = PythonTextFormat(meta);
  } else {
    data = SerializeLikeTensorFlow(meta);
  }
  return io::WriteFileAtomically(EnvOr(env), path, data);
}

tensorflow::GraphDef AsGraphDefForExport(const Graph& g) {
  return g.ToGraphDef(/*add_shapes=*/true, /*sort_control_inputs=*/true);
}

CollectionItem AnyItem(const google::protobuf::Any& any) {
  return CollectionItem::Any(any.type_url(), any.value());
}

StatusOr<tensorflow::MetaGraphDef> ExportMetaGraph(Graph* g, const ExportOptions& o) {
  const bool filtered = !o.export_scope.empty() || o.clear_devices;
  // Without graph_def: as_graph_def (sorted control inputs), or, filtered,
  // the Python NodeDefs (control inputs as added).
  tensorflow::GraphDef full =
      o.graph_def ? *o.graph_def : g->ToGraphDef(o.add_shapes, /*sort_control_inputs=*/!filtered);
  tensorflow::MetaGraphDef meta;
  auto* info = meta.mutable_meta_info_def();
  for (const auto& t : o.tags) info->add_tags(t);
  info->set_tensorflow_version(o.tensorflow_version);
  info->set_tensorflow_git_version(o.tensorflow_git_version);
  if (filtered) {
    tensorflow::GraphDef scoped;
    *scoped.mutable_versions() = full.versions();
    // new_graph_def.library.CopyFrom(graph_def.library): present, even empty.
    if (o.graph_def) *scoped.mutable_library() = full.library();
    std::vector<std::string> unbound;
    for (const auto& n : full.node()) {
      if (!ShouldInclude(n.name(), o.export_scope)) continue;
      *scoped.add_node() = NodeForExport(n, o.export_scope, &unbound, o.clear_devices);
    }
    if (!o.unbound_inputs_col_name.empty()) {
      g->ClearCollection(o.unbound_inputs_col_name);
      for (const auto& u : unbound) {
        g->AddToCollection(o.unbound_inputs_col_name, CollectionItem::String(u));
      }
    }
    full = std::move(scoped);
  }
  *info->mutable_stripped_op_list() = StrippedOpListForGraph(*g, full);
  if (o.strip_default_attrs) {
    StripDefaultAttrs(*g, &full);
    info->set_stripped_default_attrs(true);
  }
  *meta.mutable_graph_def() = std::move(full);
  if (o.saver_def) *meta.mutable_saver_def() = *o.saver_def;
  const std::vector<std::string> keys =
      o.collection_list ? *o.collection_list : g->GetAllCollectionKeys();
  for (const std::string& key : keys) {
    if (!AddCollectionDef(g, key, o.export_scope, &meta)) meta.mutable_collection_def()->erase(key);
  }
  if (!o.filename.empty()) TFCKPT_RETURN_IF_ERROR(WriteMetaGraph(o.env, o.filename, meta, o.as_text));
  return meta;
}

StatusOr<tensorflow::MetaGraphDef> ReadMetaGraphFile(const std::string& path, io::Env* env) {
  env = EnvOr(env);
  if (!env->FileExists(path)) {
    return NotFoundError(StrCat("File does not exist. Received: ", path, "."));
  }
  TFCKPT_ASSIGN_OR_RETURN(std::string content, env->ReadFileToString(path));
  tensorflow::MetaGraphDef meta;
  if (meta.ParseFromString(content)) return meta;
  meta.Clear();
  if (google::protobuf::TextFormat::ParseFromString(content, &meta)) return meta;
  return InvalidArgumentError(StrCat("Cannot parse file ", path, "."));
}

StatusOr<ImportedMetaGraph> ImportMetaGraph(Graph* g, const std::string& path,
                                            const ImportMetaGraphOptions& o) {
  TFCKPT_ASSIGN_OR_RETURN(tensorflow::MetaGraphDef meta,
                          ReadMetaGraphFile(path, o.saver_options.env));
  return ImportMetaGraph(g, meta, o);
}

StatusOr<ImportedMetaGraph> ImportMetaGraph(Graph* g, const tensorflow::MetaGraphDef& meta,
                                            const ImportMetaGraphOptions& o) {
  if (!o.unbound_inputs_col_name.empty()) {
    auto it = meta.collection_def().find(o.unbound_inputs_col_name);
    if (it != meta.collection_def().end()) {
      std::vector<std::string> values;
      for (const auto& v : it->second.bytes_list().value()) values.push_back(v);
      for (const auto& v : it->second.node_list().value()) values.push_back(v);
      std::vector<std::string> keys;
      for (const auto& [k, v] : o.input_map) keys.push_back(k);
      std::vector<std::string> sorted = values;
      std::sort(sorted.begin(), sorted.end());
      if (!values.empty() && (o.input_map.empty() || sorted != keys)) {
        std::string missing;
        bool first = true;
        for (const auto& v : values) {
          if (!o.input_map.empty() && o.input_map.count(v) != 0) continue;
          missing += StrCat(first ? "" : ",", v);
          first = false;
        }
        return InvalidArgumentError(StrCat("Graph contains unbound inputs: ", missing,
                                           ". Must provide these inputs through input_map."));
      }
    }
  }
  tensorflow::GraphDef graph_def = meta.graph_def();
  if (o.clear_devices) {
    for (auto& n : *graph_def.mutable_node()) n.clear_device();
  }
  const std::string scope = g->UniqueName(o.import_scope, /*mark_as_used=*/false);
  for (const auto& op : meta.meta_info_def().stripped_op_list().op()) g->RememberOpDef(op);
  train::ImportOptions io;
  io.name = o.import_scope.empty() ? scope : o.import_scope;
  io.input_map = o.input_map;
  io.return_elements = o.return_elements;
  if (meta.has_meta_info_def() && meta.meta_info_def().has_stripped_op_list()) {
    io.producer_op_list = &meta.meta_info_def().stripped_op_list();
  }
  TFCKPT_ASSIGN_OR_RETURN(train::ImportResult imported, train::ImportGraphDef(g, graph_def, io));
  ImportedMetaGraph result;
  for (const auto& e : imported.elements) {
    if (e.is_tensor) result.return_tensors.push_back(e.tensor);
  }
  const bool have_trainable = VersionAtLeast19(meta.meta_info_def().tensorflow_version());
  std::vector<std::string> keys;
  if (meta.collection_def().count(GraphKeys::kTrainableVariables) != 0) {
    keys.push_back(GraphKeys::kTrainableVariables);
  }
  std::vector<std::string> rest;
  for (const auto& [k, v] : meta.collection_def()) {
    if (k != GraphKeys::kTrainableVariables) rest.push_back(k);
  }
  std::sort(rest.begin(), rest.end());
  keys.insert(keys.end(), rest.begin(), rest.end());
  std::map<std::string, Variable> variable_objects;  // by serialized VariableDef
  for (const std::string& key : keys) {
    if (key == o.unbound_inputs_col_name) continue;
    const tensorflow::CollectionDef& col = meta.collection_def().at(key);
    switch (col.kind_case()) {
      case tensorflow::CollectionDef::kBytesList:
        if (GraphKeys::IsVariableCollection(key)) {
          for (const std::string& value : col.bytes_list().value()) {
            auto it = variable_objects.find(value);
            if (it == variable_objects.end()) {
              tensorflow::VariableDef def;
              if (!def.ParseFromString(value)) {
                return DataLossError(StrCat("Collection ", key, " holds an invalid VariableDef"));
              }
              if (!have_trainable) def.set_trainable(key == GraphKeys::kTrainableVariables);
              TFCKPT_ASSIGN_OR_RETURN(Variable v, Variable::FromProto(g, def, scope));
              it = variable_objects.insert({value, v}).first;
            }
            g->AddToCollection(key, VariableItem(it->second));
          }
        } else if (key == GraphKeys::kSavers) {
          for (const std::string& value : col.bytes_list().value()) {
            if (scope.empty()) {
              g->AddToCollection(key, CollectionItem::Proto(value));
              continue;
            }
            TFCKPT_ASSIGN_OR_RETURN(std::string scoped, SaverDefFromProto(value, scope));
            g->AddToCollection(key, CollectionItem::Proto(scoped));
          }
        } else if (key == "cond_context" || key == "while_context" || key == "queue_runners") {
          for (const std::string& value : col.bytes_list().value()) {
            g->AddToCollection(key, CollectionItem::Proto(value));
          }
        } else {
          for (const std::string& value : col.bytes_list().value()) {
            if (scope.empty()) {
              g->AddToCollection(key, CollectionItem::Bytes(value));
              continue;
            }
            const std::string err = Utf8Error(value);
            if (!err.empty()) return InvalidArgumentError(err);
            g->AddToCollection(key, CollectionItem::String(PrependNameScope(value, scope)));
          }
        }
        break;
      case tensorflow::CollectionDef::kNodeList:
        for (const std::string& value : col.node_list().value()) {
          const std::string name = PrependNameScope(value, scope);
          if (name.find(':') != std::string::npos) {
            TFCKPT_ASSIGN_OR_RETURN(Output t, g->GetTensorByName(name));
            g->AddToCollection(key, CollectionItem::Of(t));
          } else {
            TFCKPT_ASSIGN_OR_RETURN(Operation op, g->GetOperationByName(name));
            g->AddToCollection(key, CollectionItem::Of(op));
          }
        }
        break;
      case tensorflow::CollectionDef::kInt64List:
        for (int64_t v : col.int64_list().value()) g->AddToCollection(key, CollectionItem::Int64(v));
        break;
      case tensorflow::CollectionDef::kFloatList:
        for (float v : col.float_list().value()) g->AddToCollection(key, CollectionItem::Float(v));
        break;
      case tensorflow::CollectionDef::kAnyList:
        for (const auto& any : col.any_list().value()) {
          g->AddToCollection(key, AnyItem(any));
          result.any_collections[key].push_back(any);
        }
        break;
      default:
        break;  // TF logs "Cannot identify data type for collection" and skips it
    }
  }
  std::vector<Variable> globals = GlobalVariables(g, scope);
  std::string first_key;
  for (const Variable& v : globals) {
    const std::string key = StripNameScope(v.name(), scope);
    if (first_key.empty()) first_key = key;
    result.var_list.insert({key, v});
  }
  SaverOptions so = o.saver_options;
  if (meta.has_saver_def()) {
    std::string saver_scope = o.import_scope;
    if (!first_key.empty()) {
      const std::string name = result.var_list.at(first_key).name();
      saver_scope = name.substr(0, name.size() - first_key.size());
    }
    so.saver_def = meta.saver_def();
    so.name = saver_scope;
    TFCKPT_ASSIGN_OR_RETURN(result.saver, Saver::Create(g, so));
  } else if (!globals.empty()) {
    TFCKPT_ASSIGN_OR_RETURN(result.saver, Saver::Create(g, so));
  }
  return result;
}

}  // namespace tfckpt::train
