// The validator end to end over a bundle of two shards plus a state file.
#include "fuzz/fuzz_input.h"
#include "src/bundle/naming.h"
#include "src/check/validator.h"
#include "src/io/mem_env.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tfckpt;
  const auto parts = fuzz::SplitInput(data, size, 4);
  io::MemEnv env;
  env.PutFile(bundle::MetaFilename("/c/m"), parts[0]);
  env.PutFile(bundle::DataFilename("/c/m", 0, 1), parts[1]);
  env.PutFile(bundle::DataFilename("/c/m", 0, 2), parts[1]);
  env.PutFile(bundle::DataFilename("/c/m", 1, 2), parts[2]);
  env.PutFile("/c/checkpoint", parts[3]);
  check::Validate(&env, "/c/m");
  check::Validate(&env, "/c");
  return 0;
}
