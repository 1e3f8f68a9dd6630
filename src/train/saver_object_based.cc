// Name-based restore of object-based checkpoints (saver.py's
// object_graph_key_mapping / saver_from_object_based_checkpoint, TF 2.21).
#include <set>

#include "proto/trackable_object_graph.pb.h"
#include "src/bundle/bundle_reader.h"
#include "src/train/saver.h"

namespace tfckpt::train {
namespace {

constexpr char kObjectGraphKey[] = "_CHECKPOINTABLE_OBJECT_GRAPH";  // trackable.OBJECT_GRAPH_PROTO_KEY

std::string JoinSorted(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += StrCat(out.empty() ? "" : ", ", n);
  return out;
}

}  // namespace

StatusOr<std::map<std::string, std::string>> ObjectGraphKeyMapping(
    const std::string& checkpoint_path, io::Env* env) {
  if (env == nullptr) env = io::Env::Default();
  auto reader = bundle::BundleReader::Open(env, checkpoint_path);
  if (!reader.ok()) {
    // NewCheckpointReader also reads V1 files, which hold no object graph.
    if (reader.status().code() == StatusCode::kNotFound ||
        reader.status().code() == StatusCode::kDataLoss) {
      return NotFoundError(StrCat("Key ", kObjectGraphKey, " not found in checkpoint"));
    }
    return reader.status();
  }
  if (!(*reader)->Contains(kObjectGraphKey)) {
    return NotFoundError(StrCat("Key ", kObjectGraphKey, " not found in checkpoint"));
  }
  TFCKPT_ASSIGN_OR_RETURN(tensor::Tensor t, (*reader)->Lookup(kObjectGraphKey));
  if (t.dtype() != tensorflow::DT_STRING || t.strings().size() != 1) {
    return DataLossError(StrCat(checkpoint_path, ": ", kObjectGraphKey,
                                " is not a scalar string tensor"));
  }
  tensorflow::TrackableObjectGraph graph;
  if (!graph.ParseFromString(t.strings()[0])) {
    return DataLossError(StrCat(checkpoint_path, ": ", kObjectGraphKey,
                                " is not a serialized TrackableObjectGraph"));
  }
  std::map<std::string, std::string> names_to_keys;
  for (const auto& node : graph.nodes()) {
    for (const auto& attribute : node.attributes()) {
      names_to_keys[attribute.full_name()] = attribute.checkpoint_key();
    }
  }
  return names_to_keys;
}

Status CheckObjectBasedNames(const std::vector<SaveableVariable>& saveables,
                             const std::map<std::string, std::string>& names_to_keys) {
  std::set<std::string> current, previous, missing, extra;
  for (const SaveableVariable& s : saveables) current.insert(s.key);
  for (const auto& [name, key] : names_to_keys) previous.insert(name);
  int matched = 0;
  for (const std::string& n : current) {
    if (previous.count(n) == 0) {
      missing.insert(n);
    } else {
      ++matched;
    }
  }
  if (missing.empty()) return OkStatus();
  for (const std::string& n : previous) {
    if (current.count(n) == 0) extra.insert(n);
  }
  return NotFoundError(StrCat(
      "\n\nExisting variables not in the checkpoint: ", JoinSorted(missing),
      "\n\nVariables names when this checkpoint was written which don't exist now: ",
      JoinSorted(extra), "\n\n(", matched,
      " variable name(s) did match)\n\nCould not find some variables in the checkpoint (see names "
      "above). Saver was attempting to load an object-based checkpoint (saved using "
      "tf.train.Checkpoint or tf.keras.Model.save_weights) using variable names. If the "
      "checkpoint was written with eager execution enabled, it's possible that variable names "
      "have changed (for example missing a '_1' suffix). It's also possible that there are new "
      "variables which did not exist when the checkpoint was written. You can construct a "
      "Saver(var_list=...) with only the variables which previously existed, and if variable "
      "names have changed you may need to make this a dictionary with the old names as keys."));
}

StatusOr<std::unique_ptr<Saver>> SaverFromObjectBasedCheckpoint(
    Graph* g, const std::string& checkpoint_path, std::vector<SaveableVariable> saveables,
    const std::map<std::string, std::string>* names_to_keys, SaverOptions options) {
  std::map<std::string, std::string> read;
  if (names_to_keys == nullptr) {
    auto mapping = ObjectGraphKeyMapping(checkpoint_path, options.env);
    if (!mapping.ok()) {
      if (mapping.status().code() != StatusCode::kNotFound) return mapping.status();
      return InvalidArgumentError(
          StrCat("Checkpoint in ", checkpoint_path, " not an object-based checkpoint."));
    }
    read = std::move(*mapping);
    names_to_keys = &read;
  }
  TFCKPT_RETURN_IF_ERROR(CheckObjectBasedNames(saveables, *names_to_keys));
  // Saver(saveables) with spec.name = names_to_keys[spec.name].
  std::map<std::string, Variable> var_dict;
  std::map<std::string, std::vector<Variable>> slices;
  for (const SaveableVariable& s : saveables) {
    const std::string& key = names_to_keys->at(s.key);
    if (s.slice_spec.empty()) {
      if (!var_dict.insert({key, s.variable}).second) {
        return InvalidArgumentError(StrCat("At least two variables have the same name: ", key));
      }
    } else {
      slices[key].push_back(s.variable);
    }
  }
  options.var_list.reset();
  options.var_dict = std::move(var_dict);
  options.var_dict_slices = std::move(slices);
  options.saver_def.reset();
  return Saver::Create(g, std::move(options));
}

}  // namespace tfckpt::train
