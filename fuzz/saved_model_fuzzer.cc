// A SavedModel directory synthesised in memory: saved_model.pb from the
// input's first part, a variables bundle from the next two; load by tags
// (graph import, restore through the SaverDef, init op) and run every
// signature with no inputs. CVE-2020-15206-style files must fail cleanly.
#include "fuzz/fuzz_input.h"
#include "src/bundle/naming.h"
#include "src/io/mem_env.h"
#include "src/saved_model/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tfckpt;
  const auto parts = fuzz::SplitInput(data, size, 3);
  io::MemEnv env;
  env.PutFile("/m/saved_model.pb", parts[0]);
  env.PutFile(bundle::MetaFilename("/m/variables/variables"), parts[1]);
  env.PutFile(bundle::DataFilename("/m/variables/variables", 0, 1), parts[2]);
  saved_model::LoadOptions options;
  options.env = &env;
  options.max_tensor_bytes = 16 << 20;
  for (const std::vector<std::string>& tags :
       {std::vector<std::string>{"serve"}, std::vector<std::string>{"train"}}) {
    saved_model::LoadSavedModel("/m", tags, options).status().IgnoreError();
  }
  env.PutFile("/m/model.meta", parts[0]);
  saved_model::LoadMetaGraphAndCheckpoint("/m/model.meta", "/m/variables/variables", options)
      .status()
      .IgnoreError();
  return 0;
}
