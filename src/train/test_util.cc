#include "src/train/test_util.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <google/protobuf/util/message_differencer.h>

#include <unistd.h>

#include "proto/types.pb.h"
#include "src/io/hex.h"
#include "src/io/status.h"
#include "src/tensor/dtype.h"
#include "src/tensor/tensor_record.h"

namespace tfckpt::train::testing {

const json& Note(const std::string& scenario, const std::string& key) {
  static const json empty = json::object();
  const json& s = Scenario(scenario);
  if (!s.contains("notes") || !s["notes"].contains(key)) return empty;
  return s["notes"][key];
}

tensorflow::MetaGraphDef ReadMetaGraph(const std::string& path) {
  tensorflow::MetaGraphDef m;
  m.ParseFromString(ReadFile(path));
  return m;
}

tensorflow::GraphDef ReadGraphDef(const std::string& path) {
  tensorflow::GraphDef g;
  g.ParseFromString(ReadFile(path));
  return g;
}

std::string ProtoDiff(const google::protobuf::Message& expected,
                      const google::protobuf::Message& actual) {
  google::protobuf::util::MessageDifferencer d;
  std::string report;
  d.ReportDifferencesToString(&report);
  if (d.Compare(expected, actual)) return "";
  return report.empty() ? "differ" : report;
}

std::string GraphDiff(const tensorflow::GraphDef& expected, const tensorflow::GraphDef& actual) {
  std::ostringstream out;
  std::map<std::string, int> mine;
  for (int i = 0; i < actual.node_size(); ++i) mine[actual.node(i).name()] = i;
  std::map<std::string, int> theirs;
  for (int i = 0; i < expected.node_size(); ++i) theirs[expected.node(i).name()] = i;
  for (int i = 0; i < expected.node_size(); ++i) {
    const auto& n = expected.node(i);
    auto it = mine.find(n.name());
    if (it == mine.end()) {
      out << "missing node " << n.name() << " (" << n.op() << ")\n";
      continue;
    }
    if (it->second != i) out << "node " << n.name() << " at " << it->second << ", TF: " << i << "\n";
    const std::string d = ProtoDiff(n, actual.node(it->second));
    if (!d.empty()) out << "node " << n.name() << ":\n" << d;
  }
  for (const auto& n : actual.node()) {
    if (theirs.count(n.name()) == 0) out << "extra node " << n.name() << " (" << n.op() << ")\n";
  }
  tensorflow::GraphDef e = expected, a = actual;
  e.clear_node();
  a.clear_node();
  out << ProtoDiff(e, a);
  return out.str();
}

std::string MetaGraphDiff(const tensorflow::MetaGraphDef& expected,
                          const tensorflow::MetaGraphDef& actual) {
  std::string out = GraphDiff(expected.graph_def(), actual.graph_def());
  tensorflow::MetaGraphDef e = expected, a = actual;
  e.clear_graph_def();
  a.clear_graph_def();
  return out + ProtoDiff(e, a);
}

std::string TempDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::filesystem::path p = std::filesystem::path(tmp != nullptr ? tmp : "/tmp") / name;
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

std::string TensorMismatch(const tensor::Tensor& t, const json& record) {
  std::ostringstream out;
  const std::string dtype = tensorflow::DataType_Name(t.dtype());
  if (record.value("dtype", "") != dtype) out << "dtype " << dtype << " vs " << record["dtype"] << "; ";
  std::vector<int64_t> shape = record.value("shape", std::vector<int64_t>{});
  if (shape != t.shape().dims()) out << "shape " << t.shape().DebugString() << "; ";
  const std::string raw_hex = io::Hex(std::string_view(t.raw_data(), t.TotalBytes()));
  if (record.contains("raw_hex") && record["raw_hex"] != raw_hex) {
    out << "bytes " << raw_hex << " vs " << record["raw_hex"].get<std::string>();
  }
  return out.str();
}

tensor::Tensor TensorFromRecord(const json& record) {
  auto t = tensor::TensorFromRecord(record);
  if (!t.ok()) {
    std::cerr << "bad MANIFEST record: " << t.status() << "\n";
    std::abort();
  }
  return *std::move(t);
}

namespace {
const json& Find(const json& list, const std::string& name) {
  if (list.is_array()) {
    for (const json& r : list) {
      if (r.contains("name") && r["name"] == name) return r;
    }
  }
  static const json empty = json::object();
  return empty;
}
}  // namespace

const json& OutputOf(const json& run, const std::string& name) {
  return Find(run["outputs"], name);
}

ScopedCwd::ScopedCwd(const std::string& dir) {
  char buf[4096];
  if (getcwd(buf, sizeof(buf)) != nullptr) old_ = buf;
  if (chdir(dir.c_str()) != 0) std::abort();
}

ScopedCwd::~ScopedCwd() {
  if (!old_.empty() && chdir(old_.c_str()) != 0) std::abort();
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string WithoutTraceback(const std::string& message) {
  std::istringstream in(message);
  std::string line, out;
  bool first = true;
  while (std::getline(in, line)) {
    if (line.rfind("    File ", 0) == 0) continue;
    if (!first) out += "\n";
    out += line;
    first = false;
  }
  if (!message.empty() && message.back() == '\n') out += "\n";
  return out;
}

}  // namespace tfckpt::train::testing
