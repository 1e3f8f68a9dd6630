#include "src/bundle/test_tensors.h"

#include <random>

namespace tfckpt::bundle::testing {

using tensor::Tensor;
using tensor::TensorShape;

Tensor MakeTensor(tensor::DataType dtype, const TensorShape& shape, uint64_t seed) {
  std::mt19937_64 rng(seed);
  if (dtype == tensorflow::DT_STRING) {
    std::vector<std::string> values;
    for (int64_t i = 0; i < shape.num_elements(); ++i) {
      std::string s(rng() % 20, '\0');
      for (char& c : s) c = static_cast<char>(rng());
      if (i % 3 == 0) s.push_back('\0');
      if (i % 5 == 1) s.clear();
      values.push_back(std::move(s));
    }
    return Tensor::FromStrings(shape, std::move(values));
  }
  Tensor t = *Tensor::Allocate(dtype, shape);
  char* p = t.mutable_raw_data();
  for (uint64_t i = 0; i < t.TotalBytes(); ++i) p[i] = static_cast<char>(rng());
  if (dtype == tensorflow::DT_BOOL) {
    for (uint64_t i = 0; i < t.TotalBytes(); ++i) p[i] &= 1;
  }
  return t;
}

std::vector<std::pair<std::string, Tensor>> AllDtypeTensors() {
  std::vector<std::pair<std::string, Tensor>> out;
  const auto* e = tensorflow::DataType_descriptor();
  uint64_t seed = 1;
  for (int i = 0; i < e->value_count(); ++i) {
    const int v = e->value(i)->number();
    if (!tensor::IsKnownDataType(v)) continue;
    const auto dtype = static_cast<tensor::DataType>(v);
    if (!tensor::IsSaveable(dtype) || dtype == tensorflow::DT_VARIANT) continue;
    const std::string name = tensor::DataTypeName(dtype);
    out.emplace_back(name + "_2x3", MakeTensor(dtype, TensorShape{2, 3}, seed++));
    out.emplace_back(name + "_scalar", MakeTensor(dtype, TensorShape{}, seed++));
    out.emplace_back(name + "_0x5", MakeTensor(dtype, TensorShape{0, 5}, seed++));
  }
  return out;
}

}  // namespace tfckpt::bundle::testing
