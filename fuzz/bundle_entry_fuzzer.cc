// Structure-aware: the input is a serialized BundleEntryProto (the custom
// mutator keeps it one, mutating dtype, shape, shard, offset, size, crc and
// slices), checked by ParseEntry and read by ReadTensorData against a fixed
// 4 KiB data file.
#include <random>

#include "proto/tensor_bundle.pb.h"
#include "src/bundle/entry.h"
#include "src/bundle/tensor_data.h"
#include "src/io/mem_env.h"

namespace {

const std::string& DataBytes() {
  static const std::string* d = [] {
    auto* s = new std::string(4096, '\0');
    for (size_t i = 0; i < s->size(); ++i) (*s)[i] = static_cast<char>(i * 7 + 3);
    return s;
  }();
  return *d;
}

int64_t Pick(std::mt19937_64& rng) {
  static const int64_t kValues[] = {0, 1, -1, 2, 3, 4, 7, 8, 16, 255, 4096, 4095, 1 << 20,
                                    int64_t{1} << 31, int64_t{1} << 40, INT64_MAX, INT64_MIN,
                                    INT64_MAX - 1};
  if (rng() % 2) return kValues[rng() % (sizeof(kValues) / sizeof(kValues[0]))];
  return static_cast<int64_t>(rng() % 8192) - 64;
}

}  // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  tensorflow::BundleEntryProto e;
  e.ParseFromArray(data, static_cast<int>(size));  // best effort: garbage -> empty
  std::mt19937_64 rng(seed);
  switch (rng() % 9) {
    case 0: e.set_dtype(static_cast<tensorflow::DataType>(rng() % 40)); break;
    case 1: e.mutable_shape()->add_dim()->set_size(Pick(rng)); break;
    case 2:
      if (e.shape().dim_size() > 0) e.mutable_shape()->mutable_dim(rng() % e.shape().dim_size())->set_size(Pick(rng));
      break;
    case 3: e.set_shard_id(static_cast<int32_t>(Pick(rng))); break;
    case 4: e.set_offset(Pick(rng)); break;
    case 5: e.set_size(Pick(rng)); break;
    case 6: e.set_crc32c(static_cast<uint32_t>(rng())); break;
    case 7: {
      auto* x = e.add_slices()->add_extent();
      if (rng() % 3) {
        x->set_start(Pick(rng));
        x->set_length(Pick(rng));
      }
      break;
    }
    case 8: e.mutable_shape()->set_unknown_rank(rng() % 2); break;
  }
  const std::string out = e.SerializeAsString();
  if (out.size() > max_size) return size;
  std::memcpy(data, out.data(), out.size());
  return out.size();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tfckpt;
  static io::MemEnv* env = [] {
    auto* e = new io::MemEnv;
    e->PutFile("/d", DataBytes());
    return e;
  }();
  static std::shared_ptr<const io::RandomAccessFile> file = std::move(*env->NewRandomAccessFile("/d"));
  tensorflow::BundleHeaderProto header;
  header.set_num_shards(2);
  bundle::ParsedEntry entry;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (!bundle::ParseEntry("k", bytes, header, "/i", &entry, nullptr).ok()) return 0;
  if (entry.partitioned()) return 0;
  for (bool swap : {false, true}) {
    tensor::Tensor out;
    bundle::ReadDataOptions options;
    options.verify_crc = false;  // reach the decoding past a wrong CRC
    bundle::ReadTensorData("k", entry, file, swap, options, &out, nullptr).IgnoreError();
  }
  return 0;
}
