// The text `checkpoint` state file: parse, resolve, find the latest.
#include "src/io/mem_env.h"
#include "src/state/checkpoint_state.h"
#include "src/state/latest_checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tfckpt;
  io::MemEnv env;
  env.PutFile("/d/checkpoint", std::string(reinterpret_cast<const char*>(data), size));
  env.PutFile("/d/model.ckpt-1.index", "x");
  state::GetCheckpointState(&env, "/d").status().IgnoreError();
  state::GetCheckpointStateOrNone(&env, "/d").status().IgnoreError();
  state::LatestCheckpoint(&env, "/d").status().IgnoreError();
  return 0;
}
