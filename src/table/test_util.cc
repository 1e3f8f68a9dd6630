#include "src/table/test_util.h"

#include <cstring>

#include "src/table/table_builder.h"

namespace tfckpt::table::testing {

Status StringSource::Read(uint64_t offset, size_t n, std::string_view* result,
                          char* scratch) const {
  if (offset >= contents_.size()) {
    *result = {};
    return OkStatus();
  }
  const size_t len = std::min<uint64_t>(n, contents_.size() - offset);
  bytes_read_ += len;
  if (mapped_) {
    *result = std::string_view(contents_.data() + offset, len);
  } else {
    std::memcpy(scratch, contents_.data() + offset, len);
    *result = std::string_view(scratch, len);
  }
  return OkStatus();
}

std::string BuildTable(const std::map<std::string, std::string>& entries,
                       const Options& options) {
  StringSink sink;
  TableBuilder builder(options, &sink);
  for (const auto& [k, v] : entries) {
    Status s = builder.Add(k, v);
    if (!s.ok()) return "";
  }
  if (!builder.Finish().ok()) return "";
  return sink.contents();
}

StatusOr<std::unique_ptr<Table>> OpenString(std::string contents, bool mapped,
                                            const ReadOptions& options,
                                            TableError* error) {
  return Table::Open(
      std::make_shared<StringSource>(std::move(contents), mapped), options,
      error);
}

StatusOr<std::map<std::string, std::string>> ReadAll(const Table& table) {
  std::map<std::string, std::string> out;
  Table::Iterator it = table.NewIterator();
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    out.emplace(std::string(it.key()), std::string(it.value()));
  }
  if (!it.status().ok()) return it.status();
  return out;
}

}  // namespace tfckpt::table::testing
