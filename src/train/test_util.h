// Test helpers for the golden comparisons: golden/MANIFEST.json, the files
// of a scenario, proto and graph diffs, temp dirs.
#ifndef TFCKPT_TRAIN_TEST_UTIL_H_
#define TFCKPT_TRAIN_TEST_UTIL_H_

#include <string>
#include <vector>

#include <google/protobuf/message.h>
#include <nlohmann/json.hpp>

#include "proto/graph.pb.h"
#include "proto/meta_graph.pb.h"
#include "src/tensor/tensor.h"
#include "src/testing/golden_manifest.h"
#include "src/testing/runfiles.h"

namespace tfckpt::train::testing {

using nlohmann::json;

// $TEST_SRCDIR/tfckpt/<rel>: the one shared Runfile.
using ::tfckpt::testing::Runfile;  // src/testing/runfiles.h
// golden/MANIFEST.json's scenarios, runs and errors, a scenario's files:
// the one reader of src/testing/golden_manifest.h.
using ::tfckpt::testing::golden::ErrorOf;
using ::tfckpt::testing::golden::Golden;
using ::tfckpt::testing::golden::Manifest;
using ::tfckpt::testing::golden::ReadFile;
using ::tfckpt::testing::golden::RunOf;
using ::tfckpt::testing::golden::Scenario;
// A scenario's notes[key] ({} if none).
const json& Note(const std::string& scenario, const std::string& key);
tensorflow::MetaGraphDef ReadMetaGraph(const std::string& path);
tensorflow::GraphDef ReadGraphDef(const std::string& path);

// "" if equal, else a readable report of the differences.
std::string ProtoDiff(const google::protobuf::Message& expected,
                      const google::protobuf::Message& actual);
// Node-by-node: missing/extra/reordered nodes and per-node field diffs.
std::string GraphDiff(const tensorflow::GraphDef& expected, const tensorflow::GraphDef& actual);
// MetaGraphDef: graph (node by node) then the other fields.
std::string MetaGraphDiff(const tensorflow::MetaGraphDef& expected,
                          const tensorflow::MetaGraphDef& actual);

// A fresh, empty directory under $TEST_TMPDIR.
std::string TempDir(const std::string& name);

// Checks dtype, shape and raw bytes of `t` against a MANIFEST tensor record.
std::string TensorMismatch(const tensor::Tensor& t, const json& record);

// A tensor from a MANIFEST record (tensor/tensor_record.h); aborts on a bad
// record.
tensor::Tensor TensorFromRecord(const json& record);
// The record of `name` in a run's outputs.
const json& OutputOf(const json& run, const std::string& name);

// chdir for the scope (TF's goldens were written with relative paths).
class ScopedCwd {
 public:
  explicit ScopedCwd(const std::string& dir);
  ~ScopedCwd();

 private:
  std::string old_;
};

// Sorted names of the files in `dir`.
std::vector<std::string> ListDir(const std::string& dir);

// The message of an error record minus the Python traceback lines (those
// starting with four spaces "    File ").
std::string WithoutTraceback(const std::string& message);

}  // namespace tfckpt::train::testing

#endif  // TFCKPT_TRAIN_TEST_UTIL_H_
