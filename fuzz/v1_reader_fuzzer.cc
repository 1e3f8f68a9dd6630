// A V1 (TensorSlice) checkpoint of two shards: open, list, look up.
#include "fuzz/fuzz_input.h"
#include "src/io/mem_env.h"
#include "src/checkpoint_v1/tensor_slice_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tfckpt;
  const auto parts = fuzz::SplitInput(data, size, 2);
  io::MemEnv env;
  env.PutFile("/v/model-00000-of-00002", parts[0]);
  env.PutFile("/v/model-00001-of-00002", parts[1]);
  for (const char* pattern : {"/v/model-00000-of-00002", "/v/model-" "?????" "-of-00002"}) {
    auto reader = checkpoint_v1::TensorSliceReader::Open(&env, pattern);
    if (!reader.ok()) continue;
    int n = 0;
    for (const auto& t : (*reader)->ListTensors()) {
      if (++n > 100) break;
      (*reader)->Lookup(t.name).status().IgnoreError();
    }
  }
  return 0;
}
