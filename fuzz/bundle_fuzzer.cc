// A V2 bundle (index + two data shards), read the way TF's
// load_checkpoint_fuzz does it: open, list, look up every tensor.
#include "fuzz/fuzz_input.h"
#include "src/bundle/bundle_reader.h"
#include "src/bundle/naming.h"
#include "src/io/mem_env.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tfckpt;
  const auto parts = fuzz::SplitInput(data, size, 3);
  io::MemEnv env;
  env.PutFile(bundle::MetaFilename("/b"), parts[0]);
  env.PutFile(bundle::DataFilename("/b", 0, 1), parts[1]);
  env.PutFile(bundle::DataFilename("/b", 0, 2), parts[1]);
  env.PutFile(bundle::DataFilename("/b", 1, 2), parts[2]);
  auto reader = bundle::BundleReader::Open(&env, "/b");
  if (!reader.ok()) return 0;
  auto list = (*reader)->ListTensors();
  auto it = (*reader)->index().NewIterator();
  int n = 0;
  for (it.SeekToFirst(); it.Valid() && n < 1000; it.Next(), ++n) {
    (*reader)->Lookup(it.key()).status().IgnoreError();
  }
  if (list.ok()) {
    for (const auto& t : *list) {
      if (t.shape.rank() == 0 || t.shape.dim(0) < 2) continue;
      std::string spec = "0,1";  // the first row: a partial read
      for (int d = 1; d < t.shape.rank(); ++d) spec += ":-";
      auto slice = tensor::TensorSlice::Parse(spec);
      if (slice.ok()) (*reader)->LookupSlice(t.key, *slice).status().IgnoreError();
    }
  }
  return 0;
}
