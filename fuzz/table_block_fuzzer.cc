// One table block: Block::Parse and full iteration + seeks.
#include "src/table/block.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tfckpt::table;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto block = Block::Parse(BlockContents::Borrow(bytes));
  if (!block.ok()) return 0;
  Block::Iterator it = (*block)->NewIterator();
  std::string last;
  int n = 0;
  for (it.SeekToFirst(); it.Valid() && n < 100000; it.Next(), ++n) last = std::string(it.key());
  it.Seek(last);
  it.Seek("");
  it.Seek(std::string_view("\xff\xff", 2));
  return 0;
}
