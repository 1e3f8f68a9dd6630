// RapidCheck: for arbitrary key/value maps and writer options, what the
// builder writes the reader reads back exactly (scan, Seek, Get), and Add
// accepts exactly the strictly increasing keys. The seed is fixed (seed=42)
// unless RC_PARAMS is set in the environment.
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

// gtest must come before rapidcheck/gtest.h.
#include "gtest/gtest.h"
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "src/table/table.h"
#include "src/table/table_builder.h"
#include "src/table/test_util.h"

namespace tfckpt::table {
namespace {

// Runs before RapidCheck reads its configuration (first property run).
const bool kSeeded = [] {
  ::setenv("RC_PARAMS", "seed=42", /*overwrite=*/0);
  return true;
}();

using Model = std::map<std::string, std::string>;

// Short strings over a small alphabet (lots of shared prefixes, 0x00 and
// 0xff), or arbitrary bytes.
rc::Gen<std::string> KeyGen() {
  return rc::gen::oneOf(
      rc::gen::container<std::string>(
          rc::gen::element<char>('a', 'b', '\0', '\xff', 'z')),
      rc::gen::container<std::string>(rc::gen::arbitrary<char>()));
}

rc::Gen<Options> OptionsGen() {
  return rc::gen::apply(
      [](size_t block_size, int restart, bool snappy) {
        Options o;
        o.block_size = block_size;
        o.block_restart_interval = restart;
        o.compression =
            snappy ? CompressionType::kSnappy : CompressionType::kNone;
        return o;
      },
      rc::gen::element<size_t>(0, 1, 16, 64, 256, 4096, 262144),
      rc::gen::inRange(1, 18), rc::gen::arbitrary<bool>());
}

RC_GTEST_PROP(TablePropertyTest, ReaderAgreesWithModel, ()) {
  (void)kSeeded;
  const Model model = *rc::gen::container<Model>(
      KeyGen(), rc::gen::container<std::string>(rc::gen::arbitrary<char>()));
  const Options options = *OptionsGen();
  const bool mapped = *rc::gen::arbitrary<bool>();
  const std::string bytes = testing::BuildTable(model, options);
  RC_ASSERT(!bytes.empty());

  auto table = testing::OpenString(bytes, mapped);
  RC_ASSERT(table.ok());
  auto all = testing::ReadAll(**table);
  RC_ASSERT(all.ok());
  RC_ASSERT(*all == model);

  const auto probes = *rc::gen::container<std::vector<std::string>>(KeyGen());
  for (const std::string& probe : probes) {
    Table::Iterator it = (*table)->NewIterator();
    it.Seek(probe);
    auto want = model.lower_bound(probe);
    if (want == model.end()) {
      RC_ASSERT(!it.Valid());
    } else {
      RC_ASSERT(it.Valid());
      RC_ASSERT(std::string(it.key()) == want->first);
      RC_ASSERT(std::string(it.value()) == want->second);
    }
    RC_ASSERT(it.status().ok());
    auto got = (*table)->Get(probe);
    RC_ASSERT(got.ok());
    auto exact = model.find(probe);
    RC_ASSERT(got->has_value() == (exact != model.end()));
    if (got->has_value()) RC_ASSERT(**got == exact->second);
  }
}

RC_GTEST_PROP(TablePropertyTest, AddAcceptsExactlyIncreasingKeys, ()) {
  const auto keys = *rc::gen::container<std::vector<std::string>>(KeyGen());
  const Options options = *OptionsGen();
  testing::StringSink sink;
  TableBuilder builder(options, &sink);
  Model accepted;
  std::optional<std::string> last;
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string value = std::to_string(i);
    const Status s = builder.Add(keys[i], value);
    const bool should_accept = !last.has_value() || keys[i] > *last;
    RC_ASSERT(s.ok() == should_accept);
    if (!s.ok()) RC_ASSERT(s.code() == StatusCode::kInvalidArgument);
    if (should_accept) {
      accepted[keys[i]] = value;
      last = keys[i];
    }
  }
  RC_ASSERT(builder.Finish().ok());
  RC_ASSERT(builder.NumEntries() == accepted.size());
  auto table = testing::OpenString(sink.contents());
  RC_ASSERT(table.ok());
  auto all = testing::ReadAll(**table);
  RC_ASSERT(all.ok());
  RC_ASSERT(*all == accepted);
}

}  // namespace
}  // namespace tfckpt::table
