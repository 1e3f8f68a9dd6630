#include "src/tensor/tensor_slice.h"

#include <charconv>
#include <limits>

#include "src/tensor/ordered_code.h"

namespace tfckpt::tensor {
namespace {

bool ParseInt64(std::string_view s, int64_t* v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t begin = 0;
  while (true) {
    const size_t end = s.find(sep, begin);
    out.push_back(s.substr(begin, end == std::string_view::npos ? end : end - begin));
    if (end == std::string_view::npos) return out;
    begin = end + 1;
  }
}

Status CheckExtent(int d, int64_t start, int64_t length) {
  if (start < 0 || length <= 0) {
    return InvalidArgumentError(StrCat(
        "Expected non-negative start and positive length but got start = ",
        start, ", length = ", length, ": extent = ", d));
  }
  if (start > std::numeric_limits<int64_t>::max() - length) {
    return InvalidArgumentError(StrCat(
        "Extent end exceeds the maximum possible size: extent = ", d,
        ", start = ", start, ", length = ", length));
  }
  return OkStatus();
}

}  // namespace

StatusOr<TensorSlice> TensorSlice::Parse(std::string_view text) {
  if (text.empty()) return TensorSlice();
  std::vector<Extent> extents;
  int d = 0;
  for (std::string_view part : Split(text, ':')) {
    Extent e;
    if (part != "-") {
      const size_t comma = part.find(',');
      if (comma == std::string_view::npos ||
          !ParseInt64(part.substr(0, comma), &e.start) ||
          !ParseInt64(part.substr(comma + 1), &e.length)) {
        return InvalidArgumentError(StrCat("Invalid tensor slice '", text,
                                           "': dimension ", d, " is '", part,
                                           "', expected '-' or 'start,length'"));
      }
      TFCKPT_RETURN_IF_ERROR(CheckExtent(d, e.start, e.length)
                                 .WithContext(StrCat("tensor slice '", text, "'")));
    }
    extents.push_back(e);
    ++d;
  }
  return TensorSlice(std::move(extents));
}

StatusOr<TensorSlice> TensorSlice::FromProto(const tensorflow::TensorSliceProto& p) {
  if (p.extent_size() > TensorShape::kMaxRank) {
    return InvalidArgumentError(StrCat("tensor slice has ", p.extent_size(),
                                       " extents, more than the maximum rank ",
                                       TensorShape::kMaxRank));
  }
  std::vector<Extent> extents;
  extents.reserve(p.extent_size());
  for (int d = 0; d < p.extent_size(); ++d) {
    const auto& pe = p.extent(d);
    Extent e;
    if (pe.has_length()) {
      TFCKPT_RETURN_IF_ERROR(CheckExtent(d, pe.start(), pe.length()));
      e.start = pe.start();
      e.length = pe.length();
    } else if (pe.start() != 0) {
      return InvalidArgumentError(StrCat(
          "tensor slice extent ", d, " has start ", pe.start(),
          " but no length; a full extent must have neither"));
    }
    extents.push_back(e);
  }
  return TensorSlice(std::move(extents));
}

bool TensorSlice::IsFull() const {
  for (const Extent& e : extents_) {
    if (!e.full()) return false;
  }
  return true;
}

StatusOr<TensorShape> TensorSlice::SliceShape(const TensorShape& full_shape) const {
  if (rank() != full_shape.rank()) {
    return InvalidArgumentError(StrCat("slice ", DebugString(), " has rank ", rank(),
                                       " but the tensor shape ",
                                       full_shape.DebugString(), " has rank ",
                                       full_shape.rank()));
  }
  std::vector<int64_t> dims;
  for (int d = 0; d < rank(); ++d) {
    const int64_t size = full_shape.dim(d);
    if (!extents_[d].full() &&
        (extents_[d].start > size || extents_[d].length > size - extents_[d].start)) {
      return InvalidArgumentError(StrCat("slice ", DebugString(),
                                         " extends past the tensor shape ",
                                         full_shape.DebugString(),
                                         " in dimension ", d));
    }
    dims.push_back(length(d, size));
  }
  return TensorShape::Make(std::move(dims));
}

bool TensorSlice::CoversAll(const TensorShape& full_shape) const {
  if (rank() != full_shape.rank()) return false;
  for (int d = 0; d < rank(); ++d) {
    if (start(d) != 0 || length(d, full_shape.dim(d)) != full_shape.dim(d)) return false;
  }
  return true;
}

bool TensorSlice::Intersect(const TensorSlice& other, TensorSlice* result) const {
  if (rank() != other.rank()) return false;
  std::vector<Extent> out(rank());
  for (int d = 0; d < rank(); ++d) {
    const Extent& a = extents_[d];
    const Extent& b = other.extents_[d];
    if (a.full()) {
      out[d] = b;
    } else if (b.full()) {
      out[d] = a;
    } else {
      const int64_t s = std::max(a.start, b.start);
      const int64_t e = std::min(a.start + a.length, b.start + b.length);
      if (e <= s) return false;
      out[d] = Extent{s, e - s};
    }
  }
  if (result != nullptr) *result = TensorSlice(std::move(out));
  return true;
}

void TensorSlice::ToProto(tensorflow::TensorSliceProto* p) const {
  p->Clear();
  for (const Extent& e : extents_) {
    auto* pe = p->add_extent();
    if (!e.full()) {
      pe->set_start(e.start);
      pe->set_length(e.length);
    }
  }
}

std::string TensorSlice::DebugString() const {
  std::string out;
  for (int d = 0; d < rank(); ++d) {
    if (d > 0) out += ":";
    out += extents_[d].full() ? "-" : StrCat(extents_[d].start, ",", extents_[d].length);
  }
  return out;
}

StatusOr<ShapeAndSlice> ParseShapeAndSlice(std::string_view spec) {
  ShapeAndSlice out;
  if (spec.empty()) return out;
  std::vector<std::string_view> parts = Split(spec, ' ');
  if (parts.size() < 2) {
    return InvalidArgumentError(StrCat("Expected at least 2 space-separated fields in "
                                       "shape_and_slice '", spec, "'"));
  }
  std::vector<int64_t> dims;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    int64_t d;
    if (!ParseInt64(parts[i], &d) || d < 0) {
      return InvalidArgumentError(StrCat("Invalid dimension '", parts[i],
                                         "' in shape_and_slice '", spec, "'"));
    }
    dims.push_back(d);
  }
  TFCKPT_ASSIGN_OR_RETURN(out.full_shape, TensorShape::Make(std::move(dims)));
  TFCKPT_ASSIGN_OR_RETURN(out.slice, TensorSlice::Parse(parts.back()));
  TFCKPT_RETURN_IF_ERROR(out.slice.SliceShape(out.full_shape).status().WithContext(
      StrCat("shape_and_slice '", spec, "'")));
  out.whole = false;
  return out;
}

std::string EncodeTensorNameSlice(std::string_view name, const TensorSlice& slice) {
  std::string out;
  ordered_code::WriteNumIncreasing(&out, 0);
  ordered_code::WriteString(&out, name);
  ordered_code::WriteNumIncreasing(&out, slice.rank());
  for (int d = 0; d < slice.rank(); ++d) {
    ordered_code::WriteSignedNumIncreasing(&out, slice.start(d));
    ordered_code::WriteSignedNumIncreasing(&out, slice.extent(d).length);
  }
  return out;
}

Status DecodeTensorNameSlice(std::string_view code, std::string* name,
                             TensorSlice* slice) {
  std::string_view src = code;
  uint64_t x;
  if (!ordered_code::ReadNumIncreasing(&src, &x) || x != 0) {
    return InvalidArgumentError(
        "Invalid slice key: does not start with the OrderedCode number 0");
  }
  if (!ordered_code::ReadString(&src, name)) {
    return InvalidArgumentError("Invalid slice key: bad tensor name encoding");
  }
  if (!ordered_code::ReadNumIncreasing(&src, &x)) {
    return InvalidArgumentError(StrCat("Invalid slice key for '", *name,
                                       "': missing rank"));
  }
  if (x > static_cast<uint64_t>(TensorShape::kMaxRank)) {
    return InvalidArgumentError(StrCat("Invalid slice key for '", *name,
                                       "': rank ", x, " is too large"));
  }
  std::vector<TensorSlice::Extent> extents(x);
  for (uint64_t d = 0; d < x; ++d) {
    int64_t start, length;
    if (!ordered_code::ReadSignedNumIncreasing(&src, &start) ||
        !ordered_code::ReadSignedNumIncreasing(&src, &length)) {
      return InvalidArgumentError(StrCat("Invalid slice key for '", *name,
                                         "': truncated extent ", d));
    }
    if (length >= 0) {
      TFCKPT_RETURN_IF_ERROR(CheckExtent(static_cast<int>(d), start, length)
                                 .WithContext(StrCat("slice key for '", *name, "'")));
      extents[d] = TensorSlice::Extent{start, length};
    }
  }
  if (!src.empty()) {
    return InvalidArgumentError(StrCat("Invalid slice key for '", *name, "': ",
                                       src.size(), " trailing bytes"));
  }
  *slice = TensorSlice(std::move(extents));
  return OkStatus();
}

}  // namespace tfckpt::tensor
