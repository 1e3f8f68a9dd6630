#include "src/check/slices_check.h"

#include <algorithm>

#include "src/check/bundle_check.h"
#include "src/checkpoint_v1/tensor_slice_reader.h"
#include "src/table/table.h"
#include "src/tensor/dtype.h"

namespace tfckpt::check {

using checkpoint_v1::SliceErrorKind;

DefectCode CodeFor(const checkpoint_v1::SliceError& e) {
  switch (e.kind) {
    case SliceErrorKind::kTable: return CodeFor(e.table_error);
    case SliceErrorKind::kMissingMeta: return DefectCode::kMissingHeader;
    case SliceErrorKind::kBadMeta: return DefectCode::kBadHeader;
    case SliceErrorKind::kVersionUnsupported: return DefectCode::kVersionUnsupported;
    case SliceErrorKind::kInvalidShape: return DefectCode::kInvalidShape;
    case SliceErrorKind::kUnknownDtype: return DefectCode::kUnknownDtype;
    case SliceErrorKind::kUnsupportedDtype: return DefectCode::kUnknownDtype;
    case SliceErrorKind::kInconsistentMeta: return DefectCode::kBadHeader;
    case SliceErrorKind::kBadSlice: return DefectCode::kBadSlice;
    case SliceErrorKind::kDuplicateSlice: return DefectCode::kBadSlice;
    case SliceErrorKind::kBadSliceKey: return DefectCode::kBadEntry;
    case SliceErrorKind::kBadRecord: return DefectCode::kBadEntry;
    case SliceErrorKind::kMissingData: return DefectCode::kMissingSlices;
    case SliceErrorKind::kSizeMismatch: return DefectCode::kSizeMismatch;
    case SliceErrorKind::kValueOutOfRange: return DefectCode::kBadEntry;
    case SliceErrorKind::kMissingSlices: return DefectCode::kMissingSlices;
    case SliceErrorKind::kNotFound: return DefectCode::kNotFound;
    case SliceErrorKind::kInvalidRequest: return DefectCode::kBadSlice;
    case SliceErrorKind::kIoError: return DefectCode::kIoError;
    case SliceErrorKind::kNone: break;
  }
  return DefectCode::kIoError;
}

namespace {
void AddError(Report* r, const checkpoint_v1::SliceError& e) {
  std::optional<uint64_t> offset;
  if (e.kind == SliceErrorKind::kTable) offset = e.table_error.offset;
  r->Add(Defect{CodeFor(e), e.file, offset, e.tensor, e.message});
}
}  // namespace

void CheckSlices(io::Env* env, const std::string& pattern, const ValidateOptions& options,
                 Report* r) {
  checkpoint_v1::SliceError err;
  checkpoint_v1::ReaderOptions ropts;
  ropts.verify_records = options.verify_data;
  auto reader = checkpoint_v1::TensorSliceReader::Open(env, pattern, &err, ropts);
  if (!reader.ok()) {
    r->files.push_back(err.file.empty() ? pattern : err.file);
    AddError(r, err);
    return;
  }
  for (const std::string& f : (*reader)->files()) {
    r->files.push_back(f);
    // Bytes TF (and the reader) never look at; a writer never sets them.
    // The reader read it a moment ago: failing now is an I/O error (or
    // the file changed), and its footer went unchecked.
    auto file = env->NewRandomAccessFile(f);
    table::TableError terr;
    auto table = file.ok() ? table::Table::Open(std::move(*file), {}, &terr)
                           : StatusOr<std::unique_ptr<table::Table>>(file.status());
    if (!table.ok()) {
      r->Add(Defect{file.ok() ? CodeFor(terr) : DefectCode::kIoError, f, std::nullopt, "",
                    StrCat("reopening to check the footer: ", table.status().message())});
      continue;
    }
    if (!(*table)->footer().padding_is_zero || !(*table)->footer().handles_canonical) {
      r->Add(Defect{DefectCode::kBadBlockHandle, f,
                                  (*table)->file().Size() - table::kFooterLength, "",
                                  "table footer padding is not zero or a footer handle is "
                                  "not canonically encoded (bytes altered after writing?)"});
    }
  }
  // Progress in bytes of tensor data (a string element counts as one).
  const auto tensors = (*reader)->ListTensors();
  const auto weight = [](const checkpoint_v1::SlicedTensorInfo& t) {
    const int width = tensor::DataTypeSize(t.dtype);
    return static_cast<uint64_t>(std::max<int64_t>(t.shape.num_elements(), 0)) *
           static_cast<uint64_t>(width > 0 ? width : 1);
  };
  uint64_t total = 0, done = 0;
  for (const auto& t : tensors) total += weight(t);
  for (const auto& t : tensors) {
    checkpoint_v1::SliceError e;
    auto value = (*reader)->Lookup(t.name, &e);
    done += weight(t);
    if (options.progress) options.progress(done, total);
    if (!value.ok()) {
      AddError(r, e);
      continue;
    }
    ++r->tensors_checked;
    r->bytes_checked += value->is_string() ? 0 : value->TotalBytes();
  }
}

}  // namespace tfckpt::check
