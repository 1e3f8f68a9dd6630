// Whole files: checkpoint state files, V1 (TensorSlice) checkpoints and
// SavedModel directories.
#include "golden/bad/generate/generator.h"
#include "proto/saved_tensor_slice.pb.h"

namespace tfckpt::badcorpus {
namespace {

// A case built in an empty directory by `make`.
CaseDef Built(BadCase row, std::function<Status(const CaseDir&)> make) {
  return {std::move(row), "", std::move(make)};
}

// The TF-written V1 file copied in as <case>/model.ckpt, then `fn` applied.
std::function<Status(const CaseDir&)> OnV1(std::function<Status(const std::string&)> fn) {
  return [fn = std::move(fn)](const CaseDir& d) -> Status {
    TFCKPT_RETURN_IF_ERROR(Copy(d.G(kV1), d.prefix));
    return fn(d.prefix);
  };
}

}  // namespace

std::vector<CaseDef> FileCases() {
  return {
      Built({"stale_absolute_paths", "stale_absolute_paths",
             "the `checkpoint` state file names absolute paths that no longer resolve (the "
             "run directory moved)",
             "hand-written state file naming "
             "/nonexistent/tfckpt-golden-bad/train/model.ckpt-{100,200}",
             {"STALE_PATH"}},
            [](const CaseDir& d) {
              return WriteAll(
                  d.O("checkpoint"),
                  "model_checkpoint_path: \"/nonexistent/tfckpt-golden-bad/train/model.ckpt-200\"\n"
                  "all_model_checkpoint_paths: "
                  "\"/nonexistent/tfckpt-golden-bad/train/model.ckpt-100\"\n"
                  "all_model_checkpoint_paths: "
                  "\"/nonexistent/tfckpt-golden-bad/train/model.ckpt-200\"\n");
            }),
      Built({"stale_relative_path", "stale_relative_path",
             "the `checkpoint` state file names model.ckpt-2, which is not in the directory "
             "(model.ckpt-1 is, and is valid)",
             "saver_v2_basic copied as model.ckpt-1 + hand-written state file", {"STALE_PATH"}},
            [](const CaseDir& d) -> Status {
              TFCKPT_RETURN_IF_ERROR(CopyBundle(d.G(kBasic), d.O("model.ckpt-1")));
              return WriteAll(d.O("checkpoint"),
                              "model_checkpoint_path: \"model.ckpt-2\"\n"
                              "all_model_checkpoint_paths: \"model.ckpt-1\"\n"
                              "all_model_checkpoint_paths: \"model.ckpt-2\"\n");
            }),
      Built({"state_file_garbage", "state_file_garbage",
             "the `checkpoint` state file is not a text-format CheckpointState",
             "hand-written state file with an unknown field", {"STATE_FILE"}},
            [](const CaseDir& d) {
              return WriteAll(d.O("checkpoint"),
                              "model_checkpoint_path: \"model.ckpt-1\"\nbogus_field: 3\n");
            }),

      Built({"v1_block_flip", "v1_block_flip/model.ckpt",
             "one bit of a V1 checkpoint's data block flipped",
             "saver_v1_basic/model.ckpt; byte 30 ^= 0x01", {"BLOCK_CRC"}, kV1},
            OnV1([](const std::string& p) -> Status {
              TFCKPT_ASSIGN_OR_RETURN(table::BlockInfo b, OnlyDataBlock(p));
              return Mutate(p, [&](std::string* bytes) { (*bytes)[b.handle.offset + 30] ^= 0x01; });
            })),
      Built({"v1_truncated", "v1_truncated/model.ckpt",
             "a V1 checkpoint cut in the middle of its footer",
             "saver_v1_basic/model.ckpt truncated to size - 20", {"TRUNCATED", "BAD_MAGIC"}, kV1},
            OnV1([](const std::string& p) {
              return Mutate(p, [](std::string* b) { b->resize(b->size() - 20); });
            })),
      Built({"v1_short_values", "v1_short_values/model.ckpt",
             "V1 record of v2 ([2,3] float) holds 5 float_val values instead of 6",
             "saver_v1_basic/model.ckpt; v2's SavedSlice.data.float_val lost its last value, "
             "table rewritten",
             {"SIZE_MISMATCH"}},
            OnV1([](const std::string& p) -> Status {
              TFCKPT_ASSIGN_OR_RETURN(Records r, ReadRecords(p));
              for (auto& [k, v] : r) {
                tensorflow::SavedTensorSlices s;
                if (k.empty() || !s.ParseFromString(v) || s.data().name() != "v2") continue;
                s.mutable_data()->mutable_data()->mutable_float_val()->RemoveLast();
                v = s.SerializeAsString();
              }
              return WriteTable(p, r);
            })),

      Built({"saved_model_garbage", "saved_model_garbage/saved_model",
             "saved_model.pb is not a SavedModel protocol buffer",
             "saved_model_simple_save; saved_model.pb replaced by the bytes ff ff ff ff",
             {"SAVED_MODEL"}},
            [](const CaseDir& d) -> Status {
              TFCKPT_RETURN_IF_ERROR(CopySavedModel(d));
              return WriteAll(d.O("saved_model/saved_model.pb"), std::string(4, '\xff'));
            }),
      Built({"saved_model_variable_missing", "saved_model_variable_missing/saved_model",
             "the MetaGraph's Saver restores a key the variables/ bundle lacks",
             "saved_model_simple_save; variables/variables.index key \"b\" renamed "
             "\"b_renamed\" (its data still referenced), index rewritten",
             {"VARIABLE_MISMATCH"}},
            [](const CaseDir& d) -> Status {
              TFCKPT_RETURN_IF_ERROR(CopySavedModel(d));
              return RewriteIndex(d.O("saved_model/variables/variables"), [](Records* r) {
                for (auto& [k, v] : *r) {
                  if (k == "b") k = "b_renamed";  // still sorted: "W" < "b_renamed"
                }
              });
            }),

      // Leftovers of saves that did not finish (warnings: the checkpoint itself is intact).
      {{"stale_temp_file", "",
        "the temporary index of a killed save (model.ckpt.index.tempstate…) lies beside the "
        "bundle, open by no process",
        "saver_v2_basic + the first half of its .index copied in as "
        "model.ckpt.index.tempstate8517260334551730935",
        {"STALE_TEMP_FILE"}},
       kBasic,
       [](const CaseDir& d) -> Status {
         TFCKPT_ASSIGN_OR_RETURN(std::string index, ReadAll(d.prefix + ".index"));
         return WriteAll(d.prefix + ".index.tempstate8517260334551730935",
                         index.substr(0, index.size() / 2));
       }},
      {{"interrupted_save", "",
        "the parked files of an interrupted tfckpt save (*.tfckpt-old) lie beside the bundle",
        "saver_v2_basic + its .index and data file copied in with the suffix .tfckpt-old",
        {"INTERRUPTED_SAVE"}},
       kBasic,
       [](const CaseDir& d) -> Status {
         for (const char* f : {".index", ".data-00000-of-00001"}) {
           TFCKPT_RETURN_IF_ERROR(Copy(d.prefix + f, d.prefix + f + ".tfckpt-old"));
         }
         return OkStatus();
       }},
  };
}

}  // namespace tfckpt::badcorpus
