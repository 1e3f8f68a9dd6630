#include "golden/bad/generate/generator.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "src/io/env.h"
#include "src/table/block_builder.h"
#include "src/table/table_builder.h"

namespace tfckpt::badcorpus {

namespace fs = std::filesystem;
using tensorflow::BundleEntryProto;

// ---------------------------------------------------------------------------
// Files.

StatusOr<std::string> ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return NotFoundError(StrCat("cannot open ", path));
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Status WriteAll(const std::string& path, std::string_view bytes) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (!f) return InternalError(StrCat("cannot write ", path));
  return OkStatus();
}

Status Copy(const std::string& from, const std::string& to) {
  TFCKPT_ASSIGN_OR_RETURN(std::string bytes, ReadAll(from));
  return WriteAll(to, bytes);
}

Status CopyBundle(const std::string& src_prefix, const std::string& dst_prefix) {
  TFCKPT_RETURN_IF_ERROR(Copy(src_prefix + ".index", dst_prefix + ".index"));
  const fs::path src(src_prefix), dst(dst_prefix);
  const std::string stem = src.filename().string() + ".data-";
  std::vector<std::string> data;
  for (const auto& e : fs::directory_iterator(src.parent_path())) {
    const std::string n = e.path().filename().string();
    if (n.compare(0, stem.size(), stem) == 0) data.push_back(n);
  }
  std::sort(data.begin(), data.end());
  for (const std::string& n : data) {
    const std::string suffix = n.substr(src.filename().string().size());
    TFCKPT_RETURN_IF_ERROR(Copy((src.parent_path() / n).string(), dst_prefix + suffix));
  }
  return OkStatus();
}

Status Mutate(const std::string& path, const std::function<void(std::string*)>& fn) {
  TFCKPT_ASSIGN_OR_RETURN(std::string bytes, ReadAll(path));
  fn(&bytes);
  return WriteAll(path, bytes);
}

Status Remove(const std::string& path) {
  std::error_code ec;
  if (!fs::remove(path, ec) || ec) return InternalError(StrCat("cannot remove ", path));
  return OkStatus();
}

Status CopySavedModel(const CaseDir& d) {
  const std::string sm = kSavedModel;
  TFCKPT_RETURN_IF_ERROR(Copy(d.G(sm + "/saved_model.pb"), d.O("saved_model/saved_model.pb")));
  return CopyBundle(d.G(sm + "/variables/variables"), d.O("saved_model/variables/variables"));
}

// ---------------------------------------------------------------------------
// Tables.

namespace {

StatusOr<std::unique_ptr<table::Table>> OpenTable(const std::string& path) {
  TFCKPT_ASSIGN_OR_RETURN(auto file, io::Env::Default()->NewRandomAccessFile(path));
  return table::Table::Open(std::move(file));
}

}  // namespace

StatusOr<Records> ReadRecords(const std::string& path) {
  TFCKPT_ASSIGN_OR_RETURN(auto t, OpenTable(path));
  Records out;
  auto it = t->NewIterator();
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    out.emplace_back(std::string(it.key()), std::string(it.value()));
  }
  TFCKPT_RETURN_IF_ERROR(it.status());
  return out;
}

Status WriteTable(const std::string& path, const Records& records) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  TFCKPT_ASSIGN_OR_RETURN(auto f, io::Env::Default()->NewWritableFile(path));
  table::TableBuilder b({}, f.get());
  for (const auto& [k, v] : records) TFCKPT_RETURN_IF_ERROR(b.Add(k, v));
  TFCKPT_RETURN_IF_ERROR(b.Finish());
  return f->Close();
}

StatusOr<std::vector<table::BlockInfo>> ListBlocks(const std::string& path) {
  TFCKPT_ASSIGN_OR_RETURN(auto t, OpenTable(path));
  return t->ListBlocks();
}

StatusOr<table::BlockInfo> OnlyDataBlock(const std::string& path) {
  TFCKPT_ASSIGN_OR_RETURN(auto blocks, ListBlocks(path));
  std::optional<table::BlockInfo> data;
  for (const table::BlockInfo& b : blocks) {
    if (b.kind != table::BlockInfo::Kind::kData) continue;
    if (data) return InternalError(StrCat(path, ": more than one data block"));
    data = b;
  }
  if (!data) return InternalError(StrCat(path, ": no data block"));
  return *data;
}

Status EditDataBlock(const std::string& path, const DataBlockEdit& edit) {
  TFCKPT_ASSIGN_OR_RETURN(auto blocks, ListBlocks(path));
  TFCKPT_ASSIGN_OR_RETURN(std::string bytes, ReadAll(path));
  const table::BlockInfo* data = nullptr;
  const table::BlockInfo* meta = nullptr;
  for (const table::BlockInfo& b : blocks) {
    if (b.kind == table::BlockInfo::Kind::kData) {
      if (data != nullptr) return InternalError(StrCat(path, ": more than one data block"));
      data = &b;
    }
    if (b.kind == table::BlockInfo::Kind::kMetaindex) meta = &b;
  }
  if (data == nullptr || meta == nullptr || data->handle.offset != 0) {
    return InternalError(StrCat(path, ": not a one-data-block table"));
  }
  std::string stored = bytes.substr(data->handle.offset, data->handle.size);
  uint8_t type = static_cast<uint8_t>(data->type);
  if (edit.data_block) edit.data_block(&stored, &type);

  std::string file;
  const table::BlockHandle data_handle{0, stored.size()};
  table::AppendBlockWithTrailer(stored, static_cast<table::CompressionType>(type), &file);
  const table::BlockHandle meta_handle{file.size(), meta->handle.size};
  file += bytes.substr(meta->handle.offset, meta->handle.size + table::kBlockTrailerSize);
  table::BlockBuilder index(1);  // TableBuilder's index blocks restart every entry
  index.Add(data->index_key, edit.index_value ? *edit.index_value : data_handle.Encode());
  const std::string index_contents(index.Finish());
  const table::BlockHandle index_handle{file.size(), index_contents.size()};
  table::AppendBlockWithTrailer(index_contents, table::CompressionType::kNone, &file);
  table::Footer footer;
  footer.metaindex_handle = meta_handle;
  footer.index_handle = index_handle;
  file += footer.Encode();
  return WriteAll(path, file);
}

Status EditFooter(const std::string& path, const std::function<void(table::Footer*)>& fn) {
  TFCKPT_ASSIGN_OR_RETURN(std::string bytes, ReadAll(path));
  if (bytes.size() < table::kFooterLength) return InternalError(StrCat(path, ": no footer"));
  const uint64_t at = bytes.size() - table::kFooterLength;
  table::Footer footer;
  TFCKPT_RETURN_IF_ERROR(footer.DecodeFrom(std::string_view(bytes).substr(at), at));
  fn(&footer);
  bytes.replace(at, table::kFooterLength, footer.Encode());
  return WriteAll(path, bytes);
}

// ---------------------------------------------------------------------------
// Bundle entries.

BundleEntryProto ParseEntry(const Records& r, std::string_view key) {
  BundleEntryProto e;
  for (const auto& [k, v] : r) {
    if (k == key) e.ParseFromString(v);
  }
  return e;
}

void SetEntry(Records* r, std::string_view key, const BundleEntryProto& e) {
  for (auto& [k, v] : *r) {
    if (k == key) v = e.SerializeAsString();
  }
}

Status RewriteIndex(const std::string& prefix, const std::function<void(Records*)>& fn) {
  TFCKPT_ASSIGN_OR_RETURN(Records r, ReadRecords(prefix + ".index"));
  fn(&r);
  return WriteTable(prefix + ".index", r);
}

Status EditEntry(const std::string& prefix, const std::string& key,
                 const std::function<void(BundleEntryProto*)>& fn) {
  return RewriteIndex(prefix, [&](Records* r) {
    BundleEntryProto e = ParseEntry(*r, key);
    fn(&e);
    SetEntry(r, key, e);
  });
}

// ---------------------------------------------------------------------------
// Running the table.

StatusOr<std::vector<BadCase>> RunCases(const std::string& golden_dir,
                                        const std::string& out_dir,
                                        const std::vector<CaseDef>& cases) {
  std::vector<BadCase> rows;
  for (const CaseDef& c : cases) {
    BadCase row = c.row;
    CaseDir d{golden_dir, (fs::path(out_dir) / row.name).string(), ""};
    d.prefix = d.dir + "/model.ckpt";
    std::error_code ec;
    fs::remove_all(d.dir, ec);
    fs::create_directories(d.dir, ec);
    if (ec) return InternalError(StrCat("cannot create ", d.dir, ": ", ec.message()));
    if (!c.from.empty()) {
      if (row.validate.empty()) row.validate = row.name + "/model.ckpt";
      if (row.source.empty()) row.source = c.from;
      TFCKPT_RETURN_IF_ERROR(CopyBundle(d.G(c.from), d.prefix));
    }
    if (c.make) {
      Status s = c.make(d);
      if (!s.ok()) return Status(s.code(), StrCat("case ", row.name, ": ", s.message()));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace tfckpt::badcorpus
