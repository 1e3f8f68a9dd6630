#include "golden/bad/generate/clauses.h"

#include <map>
#include <set>

namespace tfckpt::badcorpus {
namespace {

using Clauses = std::vector<std::string>;

// Precise clauses per bad file (docs/spec/*.md).
const std::map<std::string, Clauses>& ByName() {
  static const auto* const kMap = new std::map<std::string, Clauses>{
      {"saved_model_no_variables", {"SMODEL-3.5"}},
      {"saved_model_pbtxt_garbage", {"SMODEL-2.1"}},
      {"saved_model_variable_dtype", {"META-2.3", "SMODEL-3.4"}},
      {"saved_model_variable_shape", {"META-2.3", "SMODEL-3.4"}},
      {"saved_model_tf2_variable_shape", {"SMODEL-3.4"}},
      {"saved_model_recursive_function", {"META-4.3"}},
      {"saved_model_bad_signature", {"SMODEL-2.3"}},
      {"saved_model_dangling_input", {"FROZEN-2.3", "SMODEL-3.2"}},
      {"saved_model_bad_restore_op", {"META-2.1", "SMODEL-3.2"}},
      {"saved_model_missing_asset", {"SMODEL-3.6"}},
      {"data_byte_flip", {"BUNDLE-3.8", "BUNDLE-6.1"}},
      {"index_data_block_flip", {"TABLE-3.1", "TABLE-3.3"}},
      {"index_index_block_flip", {"TABLE-3.1", "TABLE-3.3"}},
      {"index_block_trailer_crc", {"TABLE-3.1", "TABLE-3.3"}},
      {"footer_bad_magic", {"TABLE-4.2", "TABLE-4.4"}},
      {"index_truncated_footer", {"TABLE-4.2", "TABLE-4.4"}},
      {"index_truncated_short", {"TABLE-1.1", "TABLE-4.4"}},
      {"index_empty", {"TABLE-1.1", "TABLE-4.4"}},
      {"data_truncated", {"BUNDLE-3.5", "BUNDLE-4.8"}},
      {"data_empty", {"BUNDLE-3.5", "BUNDLE-4.8"}},
      {"shard_missing", {"BUNDLE-1.1", "BUNDLE-4.7"}},
      {"mixed_shards", {"BUNDLE-1.5"}},
      {"string_length_crc", {"BUNDLE-5.4", "BUNDLE-6.2"}},
      {"string_huge_length", {"BUNDLE-5.3", "BUNDLE-6.2"}},
      {"string_huge_shape", {"BUNDLE-3.7", "BUNDLE-4.6", "BUNDLE-6.2"}},
      {"cve_2018_7575_footer_handle", {"TABLE-4.1", "TABLE-4.4", "TABLE-6.2"}},
      {"cve_2018_7575_data_handle", {"TABLE-4.1", "TABLE-4.4", "TABLE-6.2"}},
      {"cve_2018_7577_snappy_bad_copy", {"TABLE-3.2", "TABLE-3.5", "TABLE-6.1"}},
      {"cve_2018_7577_snappy_huge_length", {"TABLE-3.2", "TABLE-3.5", "TABLE-6.2"}},
      {"snappy_truncated_literal", {"TABLE-3.2", "TABLE-3.5", "TABLE-6.1"}},
      {"unknown_block_type", {"TABLE-3.1", "TABLE-3.4"}},
      {"negative_dim", {"BUNDLE-3.6", "BUNDLE-4.5"}},
      {"huge_shape", {"BUNDLE-3.6", "BUNDLE-4.5"}},
      {"tensor_bytes_overflow", {"BUNDLE-3.6", "BUNDLE-4.5"}},
      {"unknown_dtype", {"BASE-6.1", "BUNDLE-4.4"}},
      {"resource_dtype", {"BASE-6.1", "BUNDLE-4.4", "BUNDLE-5.6"}},
      {"reference_dtype", {"BASE-6.1", "BUNDLE-4.4"}},
      {"offset_past_end", {"BUNDLE-3.5", "BUNDLE-4.8"}},
      {"offset_overflow", {"BUNDLE-3.5", "BUNDLE-4.8"}},
      {"negative_offset", {"BUNDLE-3.5", "BUNDLE-4.8"}},
      {"size_mismatch", {"BUNDLE-3.7", "BUNDLE-4.6"}},
      {"shard_id_out_of_range", {"BUNDLE-3.5", "BUNDLE-4.7"}},
      {"shard_id_negative", {"BUNDLE-3.5", "BUNDLE-4.7"}},
      {"entry_not_a_proto", {"BUNDLE-3.1", "BUNDLE-4.3"}},
      {"slice_negative_length", {"BUNDLE-7.3", "BUNDLE-7.4"}},
      {"slice_negative_start", {"BUNDLE-7.3", "BUNDLE-7.4"}},
      {"slice_end_overflow", {"BUNDLE-7.3", "BUNDLE-7.4"}},
      {"slice_outside_shape", {"BUNDLE-7.3", "BUNDLE-7.4"}},
      {"slice_rank_mismatch", {"BUNDLE-7.3", "BUNDLE-7.4"}},
      {"slices_missing", {"BUNDLE-7.1", "BUNDLE-7.3", "BUNDLE-7.4"}},
      {"slices_overlapping", {"BUNDLE-7.3", "BUNDLE-7.4"}},
      {"header_zero_shards", {"BUNDLE-3.2", "BUNDLE-4.1"}},
      {"header_huge_shards", {"BUNDLE-1.1", "BUNDLE-3.2"}},
      {"version_unsupported", {"BUNDLE-3.4", "BUNDLE-4.2"}},
      {"header_missing", {"BUNDLE-3.1", "BUNDLE-4.1"}},
      {"stale_absolute_paths", {"STATE-1.3", "STATE-3.1"}},
      {"stale_relative_path", {"STATE-1.3", "STATE-3.1"}},
      {"state_file_garbage", {"STATE-1.1", "STATE-2.2"}},
      {"v1_block_flip", {"TABLE-3.3", "V1-3.3"}},
      {"v1_truncated", {"TABLE-4.4", "V1-3.3"}},
      {"block_bad_shared", {"TABLE-2.1", "TABLE-2.7"}},
      {"block_zero_restarts", {"TABLE-2.3", "TABLE-2.5"}},
      {"unsorted_keys", {"TABLE-2.6", "TABLE-5.1", "TABLE-5.2"}},
      {"shape_unknown_rank", {"BUNDLE-3.6", "BUNDLE-4.5"}},
      {"saved_model_garbage", {"SMODEL-2.1"}},
      {"block_overlong_varint", {"BASE-2.4", "TABLE-2.7"}},
      {"footer_nonzero_padding", {"TABLE-4.3"}},
      {"v1_short_values", {"V1-3.1", "V1-3.2"}},
      {"saved_model_variable_missing", {"META-2.3", "SMODEL-3.4"}},
      {"stray_shard", {"BUNDLE-1.1"}},
      {"data_unreferenced_bytes", {"BUNDLE-2.3"}},
      {"data_file_is_directory", {"BUNDLE-1.1"}},
      {"bad_variant", {"BUNDLE-5.5", "BUNDLE-6.4"}},
      {"variant_tensor", {"BUNDLE-5.5"}},
      {"slice_data_missing", {"BUNDLE-7.3", "BUNDLE-7.4"}},
      {"stale_temp_file", {"BUNDLE-1.1"}},  // not part of the bundle (BUNDLE-2.9: not testable)
      {"interrupted_save", {"BUNDLE-1.1"}},
      {"overlapping_data", {"BUNDLE-3.9"}},
  };
  return *kMap;
}

// The clauses each defect code enforces (docs/VALIDATOR.md).
const std::map<std::string, Clauses>& ByCode() {
  static const auto* const kMap = new std::map<std::string, Clauses>{
      {"TRUNCATED", {"TABLE-4.4", "BUNDLE-4.8"}},
      {"BAD_MAGIC", {"TABLE-4.2"}},
      {"BAD_BLOCK_HANDLE", {"TABLE-4.1", "TABLE-4.3", "TABLE-5.1"}},
      {"OFFSET_OUT_OF_RANGE", {"TABLE-4.4", "BUNDLE-3.5", "BUNDLE-4.8"}},
      {"BLOCK_CRC", {"TABLE-3.1", "TABLE-3.3"}},
      {"BAD_COMPRESSION", {"TABLE-3.2", "TABLE-3.5"}},
      {"UNKNOWN_BLOCK_TYPE", {"TABLE-3.4"}},
      {"BAD_BLOCK", {"TABLE-2.1", "TABLE-2.2", "TABLE-2.3", "TABLE-2.7"}},
      {"UNSORTED_KEYS", {"TABLE-2.6", "TABLE-5.1", "TABLE-5.2"}},
      {"MISSING_HEADER", {"BUNDLE-3.1", "BUNDLE-4.1"}},
      {"BAD_HEADER", {"BUNDLE-3.2"}},
      {"VERSION_UNSUPPORTED", {"BUNDLE-3.4", "BUNDLE-4.2"}},
      {"BAD_ENTRY", {"BUNDLE-3.1", "BUNDLE-4.3"}},
      {"UNKNOWN_DTYPE", {"BASE-6.1", "BUNDLE-4.4"}},
      {"INVALID_SHAPE", {"BUNDLE-3.6", "BUNDLE-4.5"}},
      {"NEGATIVE_DIM", {"BUNDLE-3.6", "BUNDLE-4.5"}},
      {"SIZE_OVERFLOW", {"BUNDLE-3.6", "BUNDLE-4.5"}},
      {"SIZE_MISMATCH", {"BUNDLE-3.7", "BUNDLE-4.6"}},
      {"SHARD_ID_OUT_OF_RANGE", {"BUNDLE-3.5", "BUNDLE-4.7"}},
      {"SHARD_MISSING", {"BUNDLE-1.1", "BUNDLE-4.7"}},
      {"MIXED_SHARDS", {"BUNDLE-1.5"}},
      {"OVERLAPPING_DATA", {"BUNDLE-3.9"}},
      {"TENSOR_CRC", {"BUNDLE-3.8", "BUNDLE-6.1"}},
      {"STRING_LENGTH_CRC", {"BUNDLE-5.4", "BUNDLE-6.2"}},
      {"BAD_STRING_LENGTHS", {"BUNDLE-5.3", "BUNDLE-6.2"}},
      {"BAD_SLICE", {"BUNDLE-7.3", "BUNDLE-7.4"}},
      {"MISSING_SLICES", {"BUNDLE-7.3", "BUNDLE-7.4"}},
      {"STATE_FILE", {"STATE-1.1", "STATE-1.2"}},
      {"STALE_PATH", {"STATE-1.3", "STATE-3.1"}},
      {"SAVED_MODEL", {"SMODEL-1.1", "SMODEL-2.1"}},
      {"VARIABLE_MISMATCH", {"META-2.3", "SMODEL-3.4"}},
  };
  return *kMap;
}

}  // namespace

std::vector<std::string> BadCaseClauses(const std::string& name,
                                        const std::vector<std::string>& expect) {
  if (auto it = ByName().find(name); it != ByName().end()) return it->second;
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const std::string& code : expect) {
    auto it = ByCode().find(code);
    if (it == ByCode().end()) continue;
    for (const std::string& id : it->second) {
      if (seen.insert(id).second) out.push_back(id);
    }
  }
  return out;
}

}  // namespace tfckpt::badcorpus
