#include "src/tensor/shape.h"

#include <limits>

namespace tfckpt::tensor {

bool MultiplyWithoutOverflow(int64_t a, int64_t b, int64_t* out) {
  if (a < 0 || b < 0) return false;
  if (a != 0 && b > std::numeric_limits<int64_t>::max() / a) return false;
  *out = a * b;
  return true;
}

TensorShape::TensorShape(std::initializer_list<int64_t> dims) : dims_(dims) {
  for (int64_t d : dims_) num_elements_ *= d;
}

StatusOr<TensorShape> TensorShape::Make(std::vector<int64_t> dims) {
  if (dims.size() > static_cast<size_t>(kMaxRank)) {
    return InvalidArgumentError(StrCat("Shape has ", dims.size(),
                                       " dimensions which is over the limit of ",
                                       kMaxRank));
  }
  TensorShape s;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] < 0) {
      return InvalidArgumentError(StrCat("Dimension ", i, " is ", dims[i],
                                         ", expected a non-negative size"));
    }
    if (!MultiplyWithoutOverflow(s.num_elements_, dims[i], &s.num_elements_)) {
      return InvalidArgumentError(
          "Shape has too many elements (the count overflows int64)");
    }
  }
  s.dims_ = std::move(dims);
  return s;
}

StatusOr<TensorShape> TensorShape::FromProto(
    const tensorflow::TensorShapeProto& p) {
  if (p.unknown_rank()) {
    return InvalidArgumentError("Shape has unknown rank; expected a fully defined shape");
  }
  if (p.dim_size() > kMaxRank) {
    return InvalidArgumentError(StrCat("Shape has ", p.dim_size(),
                                       " dimensions which is over the limit of ",
                                       kMaxRank));
  }
  std::vector<int64_t> dims;
  dims.reserve(p.dim_size());
  for (const auto& d : p.dim()) dims.push_back(d.size());
  return Make(std::move(dims));
}

void TensorShape::ToProto(tensorflow::TensorShapeProto* p) const {
  p->Clear();
  for (int64_t d : dims_) p->add_dim()->set_size(d);
}

tensorflow::TensorShapeProto TensorShape::AsProto() const {
  tensorflow::TensorShapeProto p;
  ToProto(&p);
  return p;
}

std::string TensorShape::DebugString() const {
  std::string out = "[";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i > 0) out += ",";
    out += std::to_string(dims_[i]);
  }
  return out + "]";
}

std::string ShapeProtoDebugString(const tensorflow::TensorShapeProto& p) {
  if (p.unknown_rank()) return "<unknown>";
  std::string out = "[";
  for (int i = 0; i < p.dim_size(); ++i) {
    if (i > 0) out += ",";
    out += p.dim(i).size() < 0 ? "?" : std::to_string(p.dim(i).size());
    if (i == 64 && p.dim_size() > 66) {
      out += StrCat(",...(", p.dim_size() - 65, " more)");
      break;
    }
  }
  return out + "]";
}

}  // namespace tfckpt::tensor
