#include "src/state/latest_checkpoint.h"

#include <cstdio>
#include <vector>

namespace tfckpt::state {
namespace {

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// If `-[\d?]+-of-\d+` matches s[i..end) exactly, returns true.
bool ShardSuffixAt(std::string_view s, size_t i, size_t end) {
  if (i >= end || s[i] != '-') return false;
  size_t k = i + 1;
  const size_t run_start = k;
  while (k < end && (IsAsciiDigit(s[k]) || s[k] == '?')) ++k;
  if (k == run_start) return false;
  if (s.substr(k, 4) != "-of-" || k + 4 > end) return false;
  k += 4;
  const size_t digits_start = k;
  while (k < end && IsAsciiDigit(s[k])) ++k;
  return k > digits_start && k == end;
}

}  // namespace

StatusOr<bool> CheckpointExists(io::Env* env, const std::string& prefix) {
  const auto matches = [env](const std::string& pattern) -> StatusOr<bool> {
    TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> found, env->Glob(pattern));
    return !found.empty();
  };
  TFCKPT_ASSIGN_OR_RETURN(bool index, matches(prefix + ".index"));
  if (index) return true;
  // Missing index, then missing parked index: a save completed in between;
  // missing parked, then missing index: another started. Each round that
  // finds neither therefore needs two more saves; three rounds are ample.
  constexpr int kRounds = 3;
  for (int round = 0; round < kRounds; ++round) {
    TFCKPT_ASSIGN_OR_RETURN(bool parked, matches(prefix + kParkedIndexSuffix));
    if (parked) return true;
    TFCKPT_ASSIGN_OR_RETURN(index, matches(prefix + ".index"));
    if (index) return true;
  }
  auto v1 = env->Glob(prefix);
  if (!v1.ok()) return v1.status();
  return !v1->empty();
}

StatusOr<std::optional<std::string>> LatestCheckpoint(
    io::Env* env, const std::string& dir, const std::string& latest_filename,
    std::string* warning) {
  TFCKPT_ASSIGN_OR_RETURN(std::optional<CheckpointState> state,
                          GetCheckpointState(env, dir, latest_filename));
  if (!state || state->model_checkpoint_path().empty()) {
    return std::optional<std::string>();
  }
  const std::string& prefix = state->model_checkpoint_path();
  TFCKPT_ASSIGN_OR_RETURN(bool exists, CheckpointExists(env, prefix));
  if (exists) return std::optional<std::string>(prefix);
  if (warning != nullptr) {
    *warning = StrCat("Couldn't match files for checkpoint ", prefix);
  }
  return std::optional<std::string>();
}

std::string MetaGraphFilename(std::string_view checkpoint_prefix,
                              std::string_view meta_graph_suffix) {
  std::string_view s = checkpoint_prefix;
  // Positions where Python's `$` matches: the end, and before a final "\n".
  size_t ends[2] = {s.size(), s.size()};
  int num_ends = 1;
  if (!s.empty() && s.back() == '\n') ends[num_ends++] = s.size() - 1;
  std::string base(s);
  // re.sub replaces the leftmost match.
  bool done = false;
  for (size_t i = 0; i < s.size() && !done; ++i) {
    if (s[i] != '-') continue;
    for (int e = 0; e < num_ends; ++e) {
      if (ShardSuffixAt(s, i, ends[e])) {
        base = StrCat(s.substr(0, i), s.substr(ends[e]));
        done = true;
        break;
      }
    }
  }
  return StrCat(base, ".", meta_graph_suffix);
}

std::string CheckpointFilenameWithStep(std::string_view prefix, int64_t step,
                                       bool pad_step_number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, pad_step_number ? "%08lld" : "%lld",
                static_cast<long long>(step));
  return StrCat(prefix, "-", buf);
}

}  // namespace tfckpt::state
