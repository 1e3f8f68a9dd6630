#include "src/testing/variable_generators.h"

#include <algorithm>
#include <cstring>
#include <cctype>
#include <numeric>
#include <set>

#include "src/tensor/tensor_proto.h"

namespace tfckpt::testing {

using tensor::DataType;
using tensor::Tensor;

const std::vector<DataType>& VariableDtypes() {
  static const std::vector<DataType> dtypes = [] {
    std::vector<DataType> out;
    for (DataType d : BundleDtypes()) {
      if (tensor::IsProtoCodableDataType(d)) out.push_back(d);
    }
    return out;
  }();
  return dtypes;
}

namespace {

rc::Gen<std::string> Segment() {
  static const std::string kFirst =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  static const std::string kRest = kFirst + "0123456789_";
  return rc::gen::apply(
      [](size_t first, std::vector<size_t> rest) {
        std::string s(1, kFirst[first % kFirst.size()]);
        for (size_t r : rest) s.push_back(kRest[r % kRest.size()]);
        return s;
      },
      rc::gen::arbitrary<size_t>(),
      rc::gen::mapcat(rc::gen::inRange<size_t>(0, 8), [](size_t n) {
        return rc::gen::container<std::vector<size_t>>(n, rc::gen::arbitrary<size_t>());
      }));
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Distinct ignoring case: duplicates get a suffix.
std::vector<std::string> DedupeIgnoringCase(std::vector<std::string> names) {
  std::set<std::string> seen;
  for (size_t i = 0; i < names.size(); ++i) {
    while (!seen.insert(Lower(names[i])).second) names[i] += StrCat("_d", i);
  }
  return names;
}

rc::Gen<std::vector<std::string>> GenVariableNames(size_t n) {
  return rc::gen::map(rc::gen::container<std::vector<std::string>>(n, GenVariableName()),
                      DedupeIgnoringCase);
}

}  // namespace

rc::Gen<std::string> GenVariableName() {
  return rc::gen::map(
      rc::gen::mapcat(rc::gen::inRange(1, 4),
                      [](int n) {
                        return rc::gen::container<std::vector<std::string>>(
                            static_cast<size_t>(n), Segment());
                      }),
      [](const std::vector<std::string>& segments) {
        std::string s;
        for (const std::string& seg : segments) s += (s.empty() ? "" : "/") + seg;
        return s;
      });
}

rc::Gen<std::vector<VariableSpec>> GenVariableSet(const VariableSetLimits& limits) {
  const int lo = std::max(0, limits.min_variables);
  const int hi = std::max(lo, limits.max_variables);
  const ShapeLimits shape_limits = limits.shape;
  return rc::gen::mapcat(rc::gen::inRange(lo, hi + 1), [shape_limits](int n) {
    const auto value = rc::gen::mapcat(GenDtype(VariableDtypes()), [shape_limits](DataType d) {
      return rc::gen::mapcat(GenShape(shape_limits), [d](const tensor::TensorShape& shape) {
        return GenTensor(d, shape, ValueLimits{/*huge_string_percent=*/0});
      });
    });
    return rc::gen::apply(
        [](const std::vector<std::string>& names, const std::vector<Tensor>& values) {
          std::vector<VariableSpec> out;
          for (size_t i = 0; i < names.size(); ++i) out.push_back({names[i], values[i]});
          return out;
        },
        GenVariableNames(static_cast<size_t>(n)),
        rc::gen::container<std::vector<Tensor>>(static_cast<size_t>(n), value));
  });
}

std::vector<VariableSpec> OtherValues(const std::vector<VariableSpec>& vars) {
  std::vector<VariableSpec> out;
  for (const VariableSpec& v : vars) {
    // Fresh buffers: copies of a Tensor share theirs.
    Tensor t = v.value;
    if (t.dtype() == tensorflow::DT_STRING) {
      std::vector<std::string> strings = v.value.strings();
      for (std::string& s : strings) s += "~";
      t = Tensor::FromStrings(v.value.shape(), std::move(strings));
    } else if (t.num_elements() > 0) {
      t = *Tensor::Allocate(t.dtype(), t.shape());
      std::memcpy(t.mutable_raw_data(), v.value.raw_data(), t.TotalBytes());
      char* p = t.mutable_raw_data();
      const int64_t size = tensor::DataTypeSize(t.dtype());
      const int64_t n = static_cast<int64_t>(t.TotalBytes()) / size;
      const char mask = t.dtype() == tensorflow::DT_BOOL ? 1 : 0x5a;
      for (int64_t i = 0; i < n; ++i) p[i * size] = static_cast<char>(p[i * size] ^ mask);
    }
    out.push_back({v.name, std::move(t)});
  }
  return out;
}

rc::Gen<RenameMap> GenRenameMap(size_t n) {
  return rc::gen::apply(
      [n](const std::vector<std::string>& keys, const std::vector<size_t>& ranks,
          const std::vector<std::string>& targets) {
        RenameMap m;
        m.keys = keys;
        m.target_names = targets;
        m.order.resize(n);
        std::iota(m.order.begin(), m.order.end(), 0);
        // A permutation from random ranks (stable, so shrinking ranks to 0
        // shrinks toward the identity).
        std::stable_sort(m.order.begin(), m.order.end(),
                         [&](size_t a, size_t b) { return ranks[a] < ranks[b]; });
        return m;
      },
      GenTensorNames(static_cast<int>(n), /*binary=*/false),
      rc::gen::container<std::vector<size_t>>(n, rc::gen::inRange<size_t>(0, n + 1)),
      GenVariableNames(n));
}

rc::Gen<std::vector<size_t>> GenSubset(size_t n) {
  return rc::gen::map(
      rc::gen::container<std::vector<bool>>(n, rc::gen::arbitrary<bool>()),
      [n](const std::vector<bool>& in) {
        std::vector<size_t> out;
        for (size_t i = 0; i < in.size(); ++i) {
          if (in[i]) out.push_back(i);
        }
        if (out.empty() && n > 0) out.push_back(0);
        return out;
      });
}

rc::Gen<std::string> GenAbsentKey(const std::vector<std::string>& keys) {
  return rc::gen::map(GenTensorName(/*binary=*/false), [keys](std::string k) {
    while (std::find(keys.begin(), keys.end(), k) != keys.end()) k += "_absent";
    return k;
  });
}

void showValue(const VariableSpec& v, std::ostream& os) {
  os << ShowName(v.name) << " = ";
  tensor::showValue(v.value, os);
}

void showValue(const RenameMap& m, std::ostream& os) {
  os << "keys:";
  for (const std::string& k : m.keys) os << " " << ShowName(k);
  os << "; creation order:";
  for (size_t i : m.order) os << " " << i;
  os << "; targets:";
  for (const std::string& t : m.target_names) os << " " << t;
}

}  // namespace tfckpt::testing
