// Our .proto files are complete if every protobuf TensorFlow writes parses
// with no unknown field anywhere in the tree: saved_model.pb, .meta,
// fingerprint.pb, frozen GraphDefs, their text forms, and the serialized
// protos nested inside them (Any payloads, VariableDef/SaverDef collections).
// Inputs: golden/tf-2.21 (always) and ../shared/tf-golden (when present).
#include <cstdlib>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <google/protobuf/any.pb.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <google/protobuf/text_format.h>

#include "gtest/gtest.h"
#include "proto/fingerprint.pb.h"
#include "proto/graph.pb.h"
#include "proto/meta_graph.pb.h"
#include "proto/saved_model.pb.h"
#include "proto/saver.pb.h"
#include "proto/variable.pb.h"
#include "src/io/env.h"
#include "src/testing/shared_dir.h"

namespace tfckpt {
namespace {

namespace pb = google::protobuf;

// Type URLs we do not define on purpose (TF Serving's own messages).
bool IsForeignType(const std::string& full_name) {
  return full_name.rfind("tensorflow.serving.", 0) == 0;
}

struct Checker {
  std::vector<std::string> problems;
  int messages = 0;
  int anys = 0;

  void Check(const pb::Message& m, const std::string& where);
  void CheckNestedBytes(const std::string& bytes, const pb::Descriptor* type,
                        const std::string& where) {
    std::unique_ptr<pb::Message> nested(
        pb::MessageFactory::generated_factory()->GetPrototype(type)->New());
    if (!nested->ParseFromString(bytes)) {
      problems.push_back(where + ": does not parse as " + type->full_name());
      return;
    }
    Check(*nested, where);
  }
};

void Checker::Check(const pb::Message& m, const std::string& where) {
  ++messages;
  const pb::Reflection* r = m.GetReflection();
  if (!r->GetUnknownFields(m).empty()) {
    std::string numbers;
    const auto& u = r->GetUnknownFields(m);
    for (int i = 0; i < u.field_count(); ++i) numbers += " " + std::to_string(u.field(i).number());
    problems.push_back(where + " (" + m.GetDescriptor()->full_name() + "): unknown field(s)" +
                       numbers);
  }
  if (m.GetDescriptor()->full_name() == "google.protobuf.Any") {
    const auto& any = static_cast<const pb::Any&>(m);
    const std::string type_name = any.type_url().substr(any.type_url().rfind('/') + 1);
    if (IsForeignType(type_name)) return;
    const pb::Descriptor* d = pb::DescriptorPool::generated_pool()->FindMessageTypeByName(type_name);
    if (d == nullptr) {
      problems.push_back(where + ": Any of unknown type " + any.type_url());
      return;
    }
    ++anys;
    CheckNestedBytes(any.value(), d, where + "<" + type_name + ">");
    return;
  }
  // CollectionDef bytes_list values that hold serialized protos.
  if (m.GetDescriptor()->full_name() == "tensorflow.MetaGraphDef") {
    const auto& mg = static_cast<const tensorflow::MetaGraphDef&>(m);
    for (const auto& [key, col] : mg.collection_def()) {
      const pb::Descriptor* d = nullptr;
      static const std::set<std::string> kVariableCollections = {
          "variables", "trainable_variables", "model_variables", "local_variables",
          "moving_average_variables", "global_step"};
      if (kVariableCollections.count(key)) d = tensorflow::VariableDef::descriptor();
      if (key == "savers") d = tensorflow::SaverDef::descriptor();
      if (d == nullptr || !col.has_bytes_list()) continue;
      for (const std::string& v : col.bytes_list().value()) {
        CheckNestedBytes(v, d, where + ".collection_def[" + key + "]");
      }
    }
  }
  std::vector<const pb::FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const pb::FieldDescriptor* f : fields) {
    if (f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const std::string sub = where + "." + f->name();
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(m, f); ++i) Check(r->GetRepeatedMessage(m, f, i), sub);
    } else {
      Check(r->GetMessage(m, f), sub);
    }
  }
}

// Which message a file holds, by TensorFlow's file naming; nullptr = skip.
std::unique_ptr<pb::Message> MessageFor(const std::string& path) {
  const std::string base = io::Basename(path);
  auto ends = [&](const std::string& s) {
    return base.size() >= s.size() && base.compare(base.size() - s.size(), s.size(), s) == 0;
  };
  if (base == "saved_model.pb" || base == "saved_model.pbtxt") {
    return std::make_unique<tensorflow::SavedModel>();
  }
  if (base == "fingerprint.pb") return std::make_unique<tensorflow::FingerprintDef>();
  if (ends(".meta") || ends(".meta.pbtxt")) return std::make_unique<tensorflow::MetaGraphDef>();
  if (base == "saved_model_config.pb" || base == "keras_metadata.pb") return nullptr;
  if (ends(".pb") || ends(".pbtxt")) return std::make_unique<tensorflow::GraphDef>();
  return nullptr;
}

void Walk(const std::string& dir, const std::function<void(const std::string&)>& visit) {
  auto children = io::Env::Default()->GetChildren(dir);
  if (!children.ok()) return;
  for (const std::string& c : *children) {
    const std::string p = dir + "/" + c;
    if (io::Env::Default()->IsDirectory(p)) {
      Walk(p, visit);
    } else {
      visit(p);
    }
  }
}

int CheckTree(const std::string& root, Checker* checker) {
  int files = 0;
  Walk(root, [&](const std::string& path) {
    std::unique_ptr<pb::Message> msg = MessageFor(path);
    if (msg == nullptr) return;
    auto bytes = io::Env::Default()->ReadFileToString(path);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    const bool text = path.size() > 6 && path.substr(path.size() - 6) == ".pbtxt";
    bool parsed = text ? pb::TextFormat::ParseFromString(*bytes, msg.get())
                       : msg->ParseFromString(*bytes);
    // A TF-written export.meta of the old session-bundle format may be text.
    if (!parsed && !text) parsed = pb::TextFormat::ParseFromString(*bytes, msg.get());
    EXPECT_TRUE(parsed) << path << " does not parse as " << msg->GetDescriptor()->full_name();
    if (!parsed) return;
    checker->Check(*msg, path);
    ++files;
  });
  return files;
}

std::string Runfile(const std::string& rel) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return std::string(srcdir != nullptr ? srcdir : ".") + "/tfckpt/" + rel;
}

TEST(ProtoCompleteness, ProjectGoldens) {
  Checker c;
  const int files = CheckTree(Runfile("golden/tf-2.21"), &c);
  EXPECT_GE(files, 25);
  EXPECT_GT(c.messages, 1000);
  for (const std::string& p : c.problems) ADD_FAILURE() << p;
}

TEST(ProtoCompleteness, SharedTensorFlowFiles) {
  auto dir = testing::FindSharedPath("proto/BUILD", "tf-golden");
  if (!dir) GTEST_SKIP() << "../shared/tf-golden not present";
  Checker c;
  const int files = CheckTree(*dir, &c);
  EXPECT_GE(files, 15);
  EXPECT_GT(c.anys, 0);
  for (const std::string& p : c.problems) ADD_FAILURE() << p;
}

// The check itself must be able to fail: an unknown field is found.
TEST(ProtoCompleteness, DetectsUnknownFields) {
  tensorflow::MetaGraphDef mg;
  mg.mutable_graph_def()->add_node()->set_name("x");
  std::string bytes = mg.SerializeAsString();
  // Append field 99 (varint) to the top level.
  bytes += std::string("\x98\x06\x01", 3);
  tensorflow::MetaGraphDef parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  Checker c;
  c.Check(parsed, "test");
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_NE(c.problems[0].find("99"), std::string::npos);
}

}  // namespace
}  // namespace tfckpt
