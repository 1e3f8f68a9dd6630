// tfckpt inspect PATH [--json]: the header and one row per tensor.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "src/cli/checkpoint_source.h"
#include "src/cli/commands.h"
#include "src/cli/exit_codes.h"
#include "src/cli/progress.h"
#include "src/cli/value_format.h"
#include "src/io/escape.h"
#include "src/io/hex.h"
#include "src/table/format.h"

namespace tfckpt::cli {
namespace {

using Json = nlohmann::ordered_json;

std::string EndiannessName(const tensorflow::BundleHeaderProto& h) {
  return h.endianness() == tensorflow::BundleHeaderProto::BIG ? "BIG" : "LITTLE";
}

Json HeaderJson(const tensorflow::BundleHeaderProto& h) {
  Json bad = Json::array();
  for (int v : h.version().bad_consumers()) bad.push_back(v);
  return Json{{"num_shards", h.num_shards()},
              {"endianness", EndiannessName(h)},
              {"version", Json{{"producer", h.version().producer()},
                               {"min_consumer", h.version().min_consumer()},
                               {"bad_consumers", bad}}}};
}

Json PieceJson(const StoredPiece& p, bool v2) {
  Json j;
  if (!p.slice.empty()) j["slice"] = p.slice;
  if (v2) {
    j["shard"] = p.shard;
    j["offset"] = p.offset;
    j["size"] = p.size;
    j["crc32c"] = table::Hex32(p.crc32c);
  } else {
    j["file"] = p.file;
  }
  return j;
}

Json LayoutJson(const Checkpoint& ckpt, const std::vector<TensorLayout>& layout) {
  const bool v2 = ckpt.format() == CheckpointFormat::kV2;
  Json j;
  j["path"] = ckpt.resolved().given;
  j["format"] = v2 ? "v2" : "v1";
  j["prefix"] = ckpt.resolved().prefix;
  j["resolved_from"] = ckpt.resolved().how.empty() ? Json(nullptr) : Json(ckpt.resolved().how);
  if (v2) {
    j["header"] = HeaderJson(ckpt.v2()->header());
  } else {
    j["files"] = ckpt.V1Files();
  }
  Json tensors = Json::array();
  for (const TensorLayout& l : layout) {
    Json t;
    t["name"] = JsonSafe(l.summary.name);
    if (!io::IsValidUtf8(l.summary.name)) t["name_hex"] = io::Hex(l.summary.name);
    t["dtype"] = tensor::DataTypeName(l.summary.dtype);
    t["shape"] = l.summary.shape.dims();
    if (!l.partitioned && l.pieces.size() == 1) {
      const Json piece = PieceJson(l.pieces[0], v2);
      for (const auto& [k, v] : piece.items()) t[k] = v;
    } else {
      Json slices = Json::array();
      for (const StoredPiece& p : l.pieces) slices.push_back(PieceJson(p, v2));
      t["slices"] = slices;
    }
    tensors.push_back(std::move(t));
  }
  j["num_tensors"] = layout.size();
  j["tensors"] = std::move(tensors);
  return j;
}

// Left-aligned text columns, right-aligned numbers.
void PrintTable(const std::vector<std::vector<std::string>>& rows,
                const std::vector<bool>& right) {
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t c = 0; c < r.size(); ++c) {
      const std::string pad(width[c] - r[c].size(), ' ');
      if (c > 0) line += "  ";
      line += right[c] ? pad + r[c] : (c + 1 == r.size() ? r[c] : r[c] + pad);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::cout << line << "\n";
  }
}

void PrintHuman(const Checkpoint& ckpt, const std::vector<TensorLayout>& layout) {
  const bool v2 = ckpt.format() == CheckpointFormat::kV2;
  std::cout << "checkpoint: " << ckpt.Describe() << "\n";
  uint64_t total = 0;
  if (v2) {
    const tensorflow::BundleHeaderProto& h = ckpt.v2()->header();
    std::cout << "header: num_shards " << h.num_shards() << ", endianness "
              << EndiannessName(h) << ", version producer " << h.version().producer()
              << " min_consumer " << h.version().min_consumer();
    if (h.version().bad_consumers_size() > 0) {
      std::cout << " bad_consumers";
      for (int v : h.version().bad_consumers()) std::cout << " " << v;
    }
    std::cout << "\n";
    for (const TensorLayout& l : layout) {
      for (const StoredPiece& p : l.pieces) total += p.size > 0 ? p.size : 0;
    }
  } else {
    std::cout << "files:";
    for (const std::string& f : ckpt.V1Files()) std::cout << " " << f;
    std::cout << "\n";
  }
  std::cout << layout.size() << (layout.size() == 1 ? " tensor" : " tensors");
  if (v2) std::cout << ", " << total << " data bytes";
  std::cout << "\n";
  if (layout.empty()) return;
  std::vector<std::vector<std::string>> rows;
  if (v2) {
    rows.push_back({"name", "dtype", "shape", "shard", "offset", "size", "crc32c"});
  } else {
    rows.push_back({"name", "dtype", "shape", "slice", "file"});
  }
  const auto piece_cells = [&](const StoredPiece& p) -> std::vector<std::string> {
    if (v2) return {std::to_string(p.shard), std::to_string(p.offset), std::to_string(p.size),
                    table::Hex32(p.crc32c)};
    return {p.slice.empty() ? "-" : p.slice, p.file};
  };
  for (const TensorLayout& l : layout) {
    std::vector<std::string> row = {DisplayName(l.summary.name),
                                    tensor::DataTypeName(l.summary.dtype),
                                    l.summary.shape.DebugString()};
    if (!l.partitioned && l.pieces.size() == 1) {
      for (std::string& c : piece_cells(l.pieces[0])) row.push_back(std::move(c));
      rows.push_back(std::move(row));
      continue;
    }
    row.resize(rows[0].size());
    row.back() = StrCat("partitioned: ", l.pieces.size(), l.pieces.size() == 1 ? " slice" : " slices");
    rows.push_back(std::move(row));
    for (const StoredPiece& p : l.pieces) {
      std::vector<std::string> sub = {"  [" + p.slice + "]", "", ""};
      std::vector<std::string> cells = piece_cells(p);
      if (!v2) cells[0] = "";  // the slice is already in the name column
      for (std::string& c : cells) sub.push_back(std::move(c));
      rows.push_back(std::move(sub));
    }
  }
  if (v2) {
    PrintTable(rows, {false, false, false, true, true, true, false});
  } else {
    PrintTable(rows, {false, false, false, false, false});
  }
}

}  // namespace

void RegisterInspect(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "inspect", "List the header and tensors of a checkpoint (name, dtype, shape, shard, "
                 "offset, size, crc32c), V1 or V2.");
  cmd->footer(StrCat(
      "Prints the prefix used and how PATH led to it, the header (num_shards, endianness, "
      "version), then one row per tensor: name, dtype, shape, shard, offset, size, crc32c "
      "(as stored: masked CRC32C, hex); partitioned tensors get one row per slice "
      "(TensorFlow's slice syntax start,length:...; - = whole dimension). ",
      "V1 (TensorSlice) checkpoints: name, dtype, shape, slice and file."));
  struct Options {
    std::string path;
    bool json = false;
  };
  auto opt = std::make_shared<Options>();
  cmd->add_option("PATH", opt->path,
                  "checkpoint prefix, .index or .data-* file, V1 checkpoint file, directory "
                  "with a `checkpoint` state file, or SavedModel directory")
      ->required();
  cmd->add_flag("--json", opt->json, "machine-readable output");
  cmd->callback([opt, exit_code] {
    // On a terminal, the index read so far (a V1 listing reads only the
    // meta of its first file: nothing to draw).
    ReadProgress progress(StrCat("reading ", opt->path), !opt->json, io::Env::Default());
    auto ckpt = Checkpoint::Open(progress.env(), opt->path);
    if (!ckpt.ok()) {
      *exit_code = ReportError("inspect", ckpt.status());
      return;
    }
    if ((*ckpt)->format() == CheckpointFormat::kV2) {
      progress.SetTotal(CheckpointBytes(progress.env(), (*ckpt)->resolved().prefix, true, false));
    }
    auto layout = (*ckpt)->Layout();  // reads every block of the index: 100%
    progress.Clear();
    if (!layout.ok()) {
      *exit_code = ReportError("inspect", layout.status());
      return;
    }
    if (opt->json) {
      std::cout << JsonText(LayoutJson(**ckpt, *layout));
    } else {
      PrintHuman(**ckpt, *layout);
    }
    *exit_code = kExitOk;
  });
}

}  // namespace tfckpt::cli
