// TFGraphConvertible: a model object whose fields are graph tensors,
// operations or variables, serialised as a field -> name binding (JSON) next
// to its checkpoint and meta graph, and rebound to the same fields after
// import_meta_graph -- the pattern of golden/generate/gen_meta_graph.py's
// field_binding scenario (binding.json).
//
//   class Model : public train::TFGraphConvertible {
//    public:
//     Model() { Bind("x", &x); Bind("w", &w); Bind("train_op", &train_op); }
//     train::Output x; train::Variable w; train::Operation train_op;
//   };
//   model.SaveBinding("binding.json");          // {"train_op": "train", "w": "w:0", ...}
//   ...
//   Model m; m.LoadBinding(&imported_graph, "binding.json");
//
// Names: tensors "op:k", operations "op", variables their tensor name "v:0"
// (as TF's Variable.name). Nested convertibles are JSON objects. The JSON is
// written as Python's json.dump(binding, f, indent=1, sort_keys=True)
// followed by "\n" (ASCII, keys sorted), so binding.json files are the same
// bytes TF's scenario wrote.
//
// FromGraph resolves each name in the graph (with an import scope prefixed,
// as after import_meta_graph(import_scope=...)): tensors with
// GetTensorByName (TF's KeyError / ValueError texts), operations with
// GetOperationByName, variables among the graph's variable collections
// (NotFound "No variable named w:0 in the graph's variable collections").
// Fields missing from the binding, or names of the wrong kind (a tensor
// name for an operation field), are InvalidArgument; unknown keys are
// rejected too, so a binding and a class cannot drift apart silently.
#ifndef TFCKPT_TRAIN_FIELD_BINDING_H_
#define TFCKPT_TRAIN_FIELD_BINDING_H_

#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "src/io/env.h"
#include "src/train/graph_builder.h"
#include "src/train/variables.h"

namespace tfckpt::train {

class TFGraphConvertible {
 public:
  virtual ~TFGraphConvertible() = default;

  // The binding of every field (nested objects as objects). FailedPrecondition
  // if a field is not bound to anything yet.
  StatusOr<nlohmann::json> ToGraph() const;
  // json.dump(indent=1, sort_keys=True) + "\n".
  StatusOr<std::string> ToJson() const;
  Status SaveBinding(const std::string& path, io::Env* env = nullptr) const;

  Status FromGraph(Graph* g, const nlohmann::json& binding, const std::string& import_scope = "");
  Status LoadBinding(Graph* g, const std::string& path, const std::string& import_scope = "",
                     io::Env* env = nullptr);

  // The declared field names, in declaration order.
  std::vector<std::string> FieldNames() const;

 protected:
  // Declare fields (typically in the constructor); the pointers must stay
  // valid for the object's lifetime (members of the object itself).
  void Bind(const std::string& field, Output* tensor);
  void Bind(const std::string& field, Operation* op);
  void Bind(const std::string& field, Variable* variable);
  void Bind(const std::string& field, TFGraphConvertible* nested);

 private:
  using Slot = std::variant<Output*, Operation*, Variable*, TFGraphConvertible*>;
  struct Field {
    std::string name;
    Slot slot;
  };
  std::vector<Field> fields_;
};

}  // namespace tfckpt::train

#endif  // TFCKPT_TRAIN_FIELD_BINDING_H_
