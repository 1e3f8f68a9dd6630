// Test helpers: in-memory files with and without a mapping, and a one-call
// table builder.
#ifndef TFCKPT_TABLE_TEST_UTIL_H_
#define TFCKPT_TABLE_TEST_UTIL_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "src/io/env.h"
#include "src/table/options.h"
#include "src/table/table.h"

namespace tfckpt::table::testing {

// Appends to a std::string.
class StringSink final : public io::WritableFile {
 public:
  Status Append(std::string_view data) override {
    contents_.append(data);
    return OkStatus();
  }
  Status Flush() override { return OkStatus(); }
  Status Sync() override { return OkStatus(); }
  Status Close() override { return OkStatus(); }
  uint64_t Size() const override { return contents_.size(); }
  const std::string& contents() const { return contents_; }

 private:
  std::string contents_;
};

// Reads from a std::string. With mapped = false, MappedData() is null and
// Read copies into scratch (exercises ReadBlock's heap path).
class StringSource final : public io::RandomAccessFile {
 public:
  StringSource(std::string contents, bool mapped = true,
               std::string path = "test.table")
      : contents_(std::move(contents)), mapped_(mapped), path_(std::move(path)) {}
  const std::string& path() const override { return path_; }
  uint64_t Size() const override { return contents_.size(); }
  Status Read(uint64_t offset, size_t n, std::string_view* result,
              char* scratch) const override;
  const char* MappedData() const override {
    return mapped_ ? contents_.data() : nullptr;
  }
  // Bytes handed out by Read so far.
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  std::string contents_;
  bool mapped_;
  std::string path_;
  mutable uint64_t bytes_read_ = 0;
};

// Builds a table from `entries` (already sorted by std::map) into a string.
std::string BuildTable(const std::map<std::string, std::string>& entries,
                       const Options& options = {});

StatusOr<std::unique_ptr<Table>> OpenString(std::string contents,
                                            bool mapped = true,
                                            const ReadOptions& options = {},
                                            TableError* error = nullptr);

// Reads every entry in order; fails with the iterator's status.
StatusOr<std::map<std::string, std::string>> ReadAll(const Table& table);

}  // namespace tfckpt::table::testing

#endif  // TFCKPT_TABLE_TEST_UTIL_H_
