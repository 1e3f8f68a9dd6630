#include "conformance/suite_model.h"

#include <algorithm>
#include <regex>
#include <set>

#include "src/io/status.h"

namespace tfckpt::conformance {

using nlohmann::json;

namespace {

// A dimension of a MANIFEST note (MessageToDict: int64 as a string, 0 left out).
int64_t DimSize(const json& d) {
  if (!d.contains("size")) return 0;
  return d["size"].is_string() ? std::stoll(d["size"].get<std::string>())
                               : d["size"].get<int64_t>();
}

// A note's TensorInfo in the protocol's form {"name", "dtype", "shape"}.
json ExpectedTensorInfo(const json& t) {
  const json ts = t.value("tensor_shape", json::object());
  json shape = json::array();
  if (ts.value("unknown_rank", false)) {
    shape = nullptr;
  } else {
    for (const json& d : ts.value("dim", json::array())) shape.push_back(DimSize(d));
  }
  return {{"name", t.value("name", "")}, {"dtype", t.value("dtype", "DT_INVALID")},
          {"shape", shape}};
}

json ExpectedSignatures(const json& sigs) {
  json out = json::object();
  for (const auto& [key, sig] : sigs.items()) {
    json in = json::object(), outs = json::object();
    const json inputs = sig.value("inputs", json::object());  // items() must not outlive it
    const json outputs = sig.value("outputs", json::object());
    for (const auto& [k, t] : inputs.items()) in[k] = ExpectedTensorInfo(t);
    for (const auto& [k, t] : outputs.items()) outs[k] = ExpectedTensorInfo(t);
    out[key] = {{"inputs", in}, {"outputs", outs}, {"method_name", sig.value("method_name", "")}};
  }
  return out;
}

// The MetaGraphs TF recorded: notes.saved_model (TF1 exports) or the TF2
// notes "tags" + "signature_def". Each holds only the fields TF recorded.
json ExpectedMetaGraphs(const json& notes) {
  json out = json::array();
  if (notes.contains("saved_model")) {
    for (const json& mg : notes["saved_model"]["meta_graphs"]) {
      json e = {{"tags", mg["tags"]}, {"signature_def", ExpectedSignatures(mg["signature_def"])}};
      for (const char* f : {"collection_keys", "saver_def", "num_nodes"}) {
        if (mg.contains(f)) e[f] = mg[f];
      }
      out.push_back(e);
    }
  } else if (notes.contains("tags") && notes.contains("signature_def")) {
    out.push_back({{"tags", notes["tags"]}, {"signature_def", ExpectedSignatures(notes["signature_def"])}});
  }
  return out;
}

// "" when every field of `want` has the same value in `got`; else what differs.
std::string DiffFields(const json& got, const json& want, const std::string& where) {
  std::string out;
  for (const auto& [k, v] : want.items()) {
    const json g = got.is_object() && got.contains(k) ? got[k] : json();
    if (g != v) {
      out += StrCat(out.empty() ? "" : "; ", where, k, " is ", g.dump(), ", expected ", v.dump());
    }
  }
  return out;
}

const json* Result(const json& response, std::string* why) {
  if (response.contains("error")) {
    *why = StrCat("refused: ", response["error"].dump().substr(0, 300));
    return nullptr;
  }
  if (!response.contains("result") || !response["result"].is_object()) {
    *why = "response has neither a \"result\" object nor \"error\"";
    return nullptr;
  }
  return &response["result"];
}

std::set<std::string> AsSet(const json& list) {
  std::set<std::string> out;
  for (const json& s : list) {
    if (s.is_string()) out.insert(s.get<std::string>());
  }
  return out;
}


json TensorList(const json& checkpoint, bool with_sha) {
  json out = json::array();
  for (const json& t : checkpoint.value("tensors", json::array())) {
    json e = {{"name", t.value("name", "")}, {"dtype", t.value("dtype", "")},
              {"shape", t.value("shape", json::array())}};
    if (with_sha) e["sha256"] = t.value("raw_sha256", "");
    out.push_back(e);
  }
  return out;
}

json SortedByName(json list) {
  if (!list.is_array()) return list;
  std::sort(list.begin(), list.end(), [](const json& a, const json& b) {
    return a.value("name", "") < b.value("name", "");
  });
  return list;
}

bool HasFile(const json& scenario, const std::string& path) {
  for (const json& f : scenario.value("files", json::array())) {
    if (f.value("path", "") == path) return true;
  }
  return false;
}

void AddSavedModelCases(const json& s, const std::string& dir, std::vector<TestCase>* out) {
  const json& notes = s["notes"];
  const json expected = ExpectedMetaGraphs(notes);
  // The export directory: the one holding the variables bundle TF wrote.
  std::string sm_rel = "saved_model";
  json variables = json::array();
  bool has_variables = false;
  for (const json& c : s.value("checkpoints", json::array())) {
    const std::string p = c.value("prefix", "");
    const std::string suffix = "/variables/variables";
    if (p.size() > suffix.size() && p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0) {
      sm_rel = p.substr(0, p.size() - suffix.size());
      variables = SortedByName(TensorList(c, false));
      has_variables = true;
    }
  }
  // A SavedModel whose MetaGraphs the generator did not record (the TF 1.x
  // one whose variables are a V1 file) is still read: its variables (V2 or
  // V1, as TF's loader restores them) are checked.
  if (expected.empty() && !(has_variables && HasFile(s, sm_rel + "/saved_model.pb"))) return;
  const std::string name = s["name"].get<std::string>();
  const std::string sm = dir + "/" + sm_rel;
  const json schema = notes.contains("saved_model")
                          ? notes["saved_model"].value("saved_model_schema_version", json(1))
                          : json();
  out->push_back(TestCase{
      StrCat("Required.SavedModel.", name), Level::kRequired,
      {{"op", "read_saved_model"}, {"dir", sm}},
      [expected, variables, schema](const json& response, std::vector<json>*) -> std::string {
        std::string why;
        const json* r = Result(response, &why);
        if (!r) return why;
        const json got = r->value("meta_graphs", json::array());
        if (got.size() != expected.size() && !(expected.empty() && !got.empty())) {
          return StrCat(got.size(), " MetaGraphs, expected ",
                        expected.empty() ? "at least 1" : std::to_string(expected.size()));
        }
        std::string diffs;
        if (!schema.is_null()) diffs = DiffFields(*r, {{"saved_model_schema_version", schema}}, "");
        for (size_t i = 0; i < expected.size(); ++i) {
          std::string d = DiffFields(got[i], expected[i], StrCat("meta_graphs[", i, "]."));
          if (!d.empty()) diffs += (diffs.empty() ? "" : "; ") + d;
        }
        const json vars = SortedByName(r->value("variables", json::array()));
        if (vars != variables) {
          diffs += StrCat(diffs.empty() ? "" : "; ", "variables are ", vars.dump(), ", expected ",
                          variables.dump());
        }
        return diffs;
      },
      {"SMODEL-1.1", "SMODEL-1.2", "SMODEL-2.1"}, "read-savedmodel", ""});

  // Tag-set selection: each recorded set, given in reverse order, picks its
  // MetaGraph (set equality, SMODEL-3.1).
  for (const json& mg : expected) {
    json tags = mg["tags"];
    std::reverse(tags.begin(), tags.end());
    std::string label;
    for (const std::string& t : AsSet(mg["tags"])) label += (label.empty() ? "" : ",") + t;
    json sig_keys = json::array();
    for (const auto& [k, v] : mg["signature_def"].items()) sig_keys.push_back(k);
    const json want_tags = mg["tags"];
    out->push_back(TestCase{
        StrCat("Required.SavedModelTags.", name, "/", label), Level::kRequired,
        {{"op", "read_saved_model"}, {"dir", sm}, {"tags", tags}},
        [want_tags, sig_keys](const json& response, std::vector<json>*) -> std::string {
          std::string why;
          const json* r = Result(response, &why);
          if (!r) return why;
          const json got = r->value("meta_graphs", json::array());
          if (got.size() != 1) return StrCat(got.size(), " MetaGraphs, expected the one tagged ", want_tags.dump());
          if (AsSet(got[0].value("tags", json::array())) != AsSet(want_tags)) {
            return StrCat("picked the MetaGraph tagged ", got[0].value("tags", json()).dump(),
                          ", expected ", want_tags.dump());
          }
          json keys = json::array();
          const json sigs = got[0].value("signature_def", json::object());
          for (const auto& [k, v] : sigs.items()) keys.push_back(k);
          if (keys != sig_keys) return StrCat("signatures ", keys.dump(), ", expected ", sig_keys.dump());
          return std::string();
        },
        {"SMODEL-3.1"}, "read-savedmodel", ""});
  }
  // Tag sets TensorFlow's loader could not find (its "errors" record).
  static const std::regex kLoad(R"(load\(sess, \[([^\]]*)\])");
  for (const json& e : s.value("errors", json::array())) {
    const std::string str = e.value("str", ""), what = e.value("what", "");
    std::smatch m;
    if (str.find("could not be found in SavedModel") == std::string::npos ||
        !std::regex_search(what, m, kLoad)) {
      continue;
    }
    json tags = json::array();
    static const std::regex kQuoted("'([^']*)'");
    const std::string list = m[1];
    for (auto it = std::sregex_iterator(list.begin(), list.end(), kQuoted); it != std::sregex_iterator(); ++it) {
      tags.push_back((*it)[1].str());
    }
    out->push_back(TestCase{
        StrCat("Required.SavedModelTags.", name, "/", e.value("name", "missing")), Level::kRequired,
        {{"op", "read_saved_model"}, {"dir", sm}, {"tags", tags}},
        [str](const json& response, std::vector<json>*) -> std::string {
          if (response.contains("error")) return "";
          return StrCat("accepted a tag set TensorFlow refuses (", str.substr(0, 120), ")");
        },
        {"SMODEL-3.1"}, "read-savedmodel", ""});
  }
}

// A collection as TF's import_meta_graph showed it (gen_meta_graph.py
// _collections) in the protocol's form {"kind", "value"}.
json ExpectedCollection(const json& items) {
  json values = json::array();
  std::string kind = "node_list";
  for (const json& it : items) {
    if (it.is_object() && it.value("kind", "") == "bytes") {
      kind = "bytes_list";
      values.push_back(it["hex"]);
    } else if (it.is_object()) {
      values.push_back(it["name"]);
    } else if (it.is_number_integer()) {
      kind = "int64_list";
      values.push_back(it);
    } else if (it.is_number()) {
      kind = "float_list";
      values.push_back(it);
    } else {
      kind = "unknown";
      values.push_back(it);
    }
  }
  return {{"kind", kind}, {"value", values}};
}

void AddMetaGraphCases(const json& s, const std::string& dir, std::vector<TestCase>* out) {
  const json& notes = s["notes"];
  json want = json::object();  // result fields
  json want_collections = json::object(), want_variables = json::object();
  if (notes.contains("import_meta_graph: saver_def")) {
    want["saver_def"] = notes["import_meta_graph: saver_def"];
  }
  if (notes.contains("import_meta_graph: collections")) {
    for (const auto& [k, items] : notes["import_meta_graph: collections"].items()) {
      if (k == "variables" || k == "trainable_variables") {  // VariableDef bytes
        json names = json::array();
        for (const json& v : items) names.push_back(v["name"]);
        want_variables[k] = names;
      } else {
        want_collections[k] = ExpectedCollection(items);
      }
    }
  }
  if (notes.contains("saver_def_sharded")) want["saver_def"] = {{"sharded", notes["saver_def_sharded"]}};
  if (want.empty() && want_collections.empty()) return;
  const std::string path = dir + "/model.ckpt.meta";  // what these notes describe
  out->push_back(TestCase{
      StrCat("Required.MetaGraph.", s["name"].get<std::string>(), "/model.ckpt.meta"),
      Level::kRequired, {{"op", "read_meta_graph"}, {"path", path}},
      [want, want_collections, want_variables](const json& response, std::vector<json>*) -> std::string {
        std::string why;
        const json* r = Result(response, &why);
        if (!r) return why;
        std::string diffs;
        if (want.contains("saver_def")) {
          diffs = DiffFields(r->value("saver_def", json::object()), want["saver_def"], "saver_def.");
        }
        const json cols = r->value("collections", json::object());
        for (const auto& [k, v] : want_collections.items()) {
          const json g = cols.contains(k) ? cols[k] : json();
          if (g != v) {
            diffs += StrCat(diffs.empty() ? "" : "; ", "collection ", k, " is ", g.dump(),
                            ", expected ", v.dump());
          }
        }
        std::string d = DiffFields(r->value("variables", json::object()), want_variables, "variables.");
        if (!d.empty()) diffs += (diffs.empty() ? "" : "; ") + d;
        return diffs;
      },
      want_variables.empty() ? std::vector<std::string>{"META-1.1", "META-2.1"}
                             : std::vector<std::string>{"META-1.1", "META-2.1", "META-3.2"},
      "read-metagraph", ""});
}

// Frozen graphs: node lists TF recorded ("frozen_nodes" for every graph
// file of the scenario, or a note named after the file), and Const values
// equal to the checkpoint the graph was frozen from (the scenario's
// saved_model/ variables for a file named *saved_model*, else its other
// checkpoint).
void AddGraphCases(const json& s, const std::string& dir, std::vector<TestCase>* out) {
  const json& notes = s["notes"];
  for (const json& f : s.value("files", json::array())) {
    const std::string file = f.value("path", "");
    const bool graph_file = (file.size() > 3 && file.compare(file.size() - 3, 3, ".pb") == 0) ||
                            (file.size() > 6 && file.compare(file.size() - 6, 6, ".pbtxt") == 0);
    if (!graph_file || file.find('/') != std::string::npos) continue;
    const json* nodes = notes.contains(file) ? &notes[file]
                        : notes.contains("frozen_nodes") ? &notes["frozen_nodes"] : nullptr;
    if (nodes == nullptr || !nodes->is_array()) continue;
    json consts = json::array();
    for (const json& c : s.value("checkpoints", json::array())) {
      const bool sm = c.value("prefix", "").rfind("saved_model/", 0) == 0;
      if (sm != (file.find("saved_model") != std::string::npos)) continue;
      std::set<std::string> const_names;
      for (const json& n : *nodes) {
        if (n.value("op", "") == "Const") const_names.insert(n.value("name", ""));
      }
      for (const json& t : TensorList(c, true)) {
        if (const_names.count(t["name"].get<std::string>())) consts.push_back(t);
      }
    }
    const json want_nodes = *nodes;
    out->push_back(TestCase{
        StrCat("Required.Graph.", s["name"].get<std::string>(), "/", file), Level::kRequired,
        {{"op", "read_graph"}, {"path", dir + "/" + file}},
        [want_nodes, consts](const json& response, std::vector<json>*) -> std::string {
          std::string why;
          const json* r = Result(response, &why);
          if (!r) return why;
          json got = json::array();
          for (const json& n : r->value("nodes", json::array())) {
            got.push_back({{"name", n.value("name", "")}, {"op", n.value("op", "")}});
          }
          if (got != want_nodes) return StrCat("nodes ", got.dump(), ", expected ", want_nodes.dump());
          std::string diffs;
          const json returned = r->value("consts", json::array());
          for (const json& want : consts) {
            json g;
            for (const json& c : returned) {
              if (c.value("name", "") == want["name"]) g = c;
            }
            const std::string d = DiffFields(g, want, StrCat("Const ", want["name"].get<std::string>(), " "));
            if (!d.empty()) diffs += (diffs.empty() ? "" : "; ") + d;
          }
          return diffs;
        },
        {"FROZEN-1.1", "FROZEN-1.2", "META-4.1"}, "read-metagraph", ""});
  }
}

void AddObjectGraphCases(const json& s, const std::string& dir, std::vector<TestCase>* out) {
  if (!s["notes"].contains("object_graph")) return;
  json want = json::array();
  std::set<std::string> keys;
  for (const json& n : s["notes"]["object_graph"]["nodes"]) {
    json attrs = json::array();
    for (const json& a : n.value("attributes", json::array())) {
      attrs.push_back({{"name", a.value("name", "")}, {"full_name", a.value("full_name", "")},
                       {"checkpoint_key", a.value("checkpoint_key", "")}});
      keys.insert(a.value("checkpoint_key", ""));
    }
    json children = json::array();
    for (const json& c : n.value("children", json::array())) {
      children.push_back({{"node_id", c.value("node_id", 0)}, {"local_name", c.value("local_name", "")}});
    }
    want.push_back({{"children", children}, {"attributes", attrs}});
  }
  // The checkpoint the note describes: the first holding the graph and every key it names.
  for (const json& c : s.value("checkpoints", json::array())) {
    std::set<std::string> names;
    for (const json& t : c["tensors"]) names.insert(t["name"].get<std::string>());
    if (!names.count("_CHECKPOINTABLE_OBJECT_GRAPH") ||
        !std::includes(names.begin(), names.end(), keys.begin(), keys.end())) {
      continue;
    }
    const std::string prefix = c["prefix"].get<std::string>();
    out->push_back(TestCase{
        StrCat("Required.ObjectGraph.", s["name"].get<std::string>(), "/", prefix), Level::kRequired,
        {{"op", "read_object_graph"}, {"prefix", dir + "/" + prefix}},
        [want, names](const json& response, std::vector<json>*) -> std::string {
          std::string why;
          const json* r = Result(response, &why);
          if (!r) return why;
          const json got = r->value("nodes", json::array());
          // OBJ-2.1 on what was read: ids index nodes, keys are bundle keys.
          for (const json& n : got) {
            for (const json& c : n.value("children", json::array())) {
              if (c.value("node_id", -1) < 0 || c.value("node_id", -1) >= static_cast<int>(got.size())) {
                return StrCat("child ", c.dump(), " names no node");
              }
            }
            for (const json& a : n.value("attributes", json::array())) {
              if (!names.count(a.value("checkpoint_key", ""))) {
                return StrCat("attribute ", a.dump(), " names no key of the checkpoint");
              }
            }
          }
          if (got != want) return StrCat("nodes ", got.dump(), ", expected ", want.dump());
          return std::string();
        },
        {"OBJ-2.1"}, "read-object-graph", ""});
    return;
  }
}

}  // namespace

void AddModelCases(const json& scenario, const std::string& dir, const std::string& label,
                   std::vector<TestCase>* out) {
  if (!scenario.contains("notes") || !scenario["notes"].is_object()) return;
  json s = scenario;  // named as the other cases of its corpus: "tf-1.15/<scenario>"
  s["name"] = label + scenario["name"].get<std::string>();
  AddSavedModelCases(s, dir, out);
  AddMetaGraphCases(s, dir, out);
  AddGraphCases(s, dir, out);
  AddObjectGraphCases(s, dir, out);
}

}  // namespace tfckpt::conformance
