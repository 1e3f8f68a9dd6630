// A whole table file: Open, iterate, list blocks, look up keys.
#include "src/io/mem_env.h"
#include "src/table/table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tfckpt;
  io::MemEnv env;
  env.PutFile("/t", std::string(reinterpret_cast<const char*>(data), size));
  auto file = env.NewRandomAccessFile("/t");
  if (!file.ok()) return 0;
  auto table = table::Table::Open(std::move(*file));
  if (!table.ok()) return 0;
  auto it = (*table)->NewIterator();
  std::vector<std::string> keys;
  for (it.SeekToFirst(); it.Valid() && keys.size() < 100000; it.Next()) {
    if (keys.size() < 16) keys.emplace_back(it.key());
  }
  for (const std::string& k : keys) (*table)->Get(k).status().IgnoreError();
  (*table)->Get("").status().IgnoreError();
  (*table)->ListBlocks().status().IgnoreError();
  return 0;
}
