#include "src/testing/generators.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <tuple>
#include <random>
#include <set>
#include <sstream>
#include <utility>

#include "src/checkpoint_v1/slice_data.h"
#include "src/io/hex.h"

namespace tfckpt::testing {

using tensor::DataType;
using tensor::Tensor;
using tensor::TensorShape;
using tensor::TensorSlice;

// ---- running properties ---------------------------------------------------

namespace {

// RC_PARAMS as the user gave it ("" if unset). When unset, it is set to the
// fixed seed before RapidCheck reads its configuration (lazily, at the
// first property), so the "Using configuration" line RapidCheck prints is
// the truth.
const std::string& UserRcParams() {
  static const std::string params = [] {
    const char* e = std::getenv("RC_PARAMS");
    std::string given = e != nullptr ? e : "";
    if (given.empty()) {
      ::setenv("RC_PARAMS", StrCat("seed=", kDefaultSeed).c_str(), /*overwrite=*/1);
    }
    return given;
  }();
  return params;
}

const bool kRcParamsCaptured = (UserRcParams(), true);

}  // namespace

#if defined(__SANITIZE_ADDRESS__)
#define TFCKPT_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TFCKPT_SANITIZED 1
#endif
#endif

rc::detail::TestParams PropertyParams(int default_cases) {
  (void)kRcParamsCaptured;
  const std::string& user = UserRcParams();
  rc::detail::TestParams p = rc::detail::configuration().testParams;
  if (user.find("max_success") == std::string::npos) {
#ifdef TFCKPT_SANITIZED
    // --config=asan: a fifth of the cases. Sanitized builds run these
    // properties ~40x slower (MemEnv copies a file on every append, and
    // under ASan every such copy is fresh pages).
    default_cases = std::max(1, default_cases / 5);
#endif
    p.maxSuccess = default_cases;
  }
  return p;
}

// ---- dtypes -----------------------------------------------------------------

const std::vector<DataType>& BundleDtypes() {
  static const std::vector<DataType> dtypes = [] {
    std::vector<DataType> out;
    const auto* e = tensorflow::DataType_descriptor();
    for (int i = 0; i < e->value_count(); ++i) {
      const int v = e->value(i)->number();
      if (!tensor::IsKnownDataType(v)) continue;
      const auto d = static_cast<DataType>(v);
      if (tensor::IsSaveable(d) && d != tensorflow::DT_VARIANT) out.push_back(d);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }();
  return dtypes;
}

const std::vector<DataType>& V1Dtypes() {
  static const std::vector<DataType> dtypes = [] {
    std::vector<DataType> out;
    for (DataType d : BundleDtypes()) {
      if (checkpoint_v1::CheckWritableDtype(d).ok()) out.push_back(d);
    }
    return out;
  }();
  return dtypes;
}

rc::Gen<DataType> GenDtype(const std::vector<DataType>& dtypes) {
  // Strings have the most intricate encoding (varint lengths, a length
  // checksum, then bytes): about one tensor in five is a string tensor.
  if (std::find(dtypes.begin(), dtypes.end(), tensorflow::DT_STRING) != dtypes.end()) {
    return rc::gen::weightedOneOf<DataType>(
        {{4, rc::gen::elementOf(dtypes)}, {1, rc::gen::just(tensorflow::DT_STRING)}});
  }
  return rc::gen::elementOf(dtypes);
}

// ---- shapes -----------------------------------------------------------------

rc::Gen<TensorShape> GenShape(const ShapeLimits& limits) {
  const rc::Gen<int64_t> dim = rc::gen::weightedOneOf<int64_t>({
      {8, rc::gen::just<int64_t>(0)},
      {20, rc::gen::just<int64_t>(1)},
      {50, rc::gen::inRange<int64_t>(2, 8)},
      {15, rc::gen::inRange<int64_t>(8, 65)},
      {7, rc::gen::inRange<int64_t>(65, 100001)},
  });
  const rc::Gen<int> rank = rc::gen::weightedOneOf<int>({
      {10, rc::gen::just(0)},
      {25, rc::gen::just(1)},
      {25, rc::gen::just(2)},
      {15, rc::gen::just(3)},
      {25, rc::gen::inRange(4, 9)},
  });
  return rc::gen::mapcat(rank, [dim, limits](int r) {
    r = std::min(r, limits.max_rank);
    return rc::gen::map(
        rc::gen::container<std::vector<int64_t>>(static_cast<size_t>(r), dim),
        [limits](std::vector<int64_t> dims) {
          const bool zero = std::find(dims.begin(), dims.end(), 0) != dims.end();
          const int64_t limit = zero ? limits.max_nonzero_product : limits.max_elements;
          int64_t product = 1;
          for (int64_t& d : dims) {
            if (d == 0) continue;
            if (d > limit / product) d = std::max<int64_t>(1, limit / product);
            product *= d;
          }
          return *TensorShape::Make(std::move(dims));
        });
  });
}

// ---- names ------------------------------------------------------------------

namespace {

rc::Gen<std::string> NameToken(bool binary) {
  return rc::gen::weightedOneOf<std::string>({
      {2, rc::gen::just(std::string(1, '\0'))},
      {binary ? 3u : 0u, rc::gen::element<std::string>("\xff", "\xfe", "\x80", "\xc0")},
      {40, rc::gen::map(rc::gen::inRange(0, 26),
                        [](int i) { return std::string(1, static_cast<char>('a' + i)); })},
      {8, rc::gen::map(rc::gen::inRange(0, 10),
                       [](int i) { return std::string(1, static_cast<char>('0' + i)); })},
      {6, rc::gen::element<std::string>("_", "A", "Z")},
      {12, rc::gen::element<std::string>("/", ":", ".", "-", "//", ":0", "/part_0")},
      {8, rc::gen::element<std::string>("\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xc3\x9f",
                                        "\xd7\xa9", "\xe2\x80\x8b")},
      {4, rc::gen::element<std::string>("kernel", "bias", "Adam", "global_step",
                                        "model/layer_with_weights-0", ".ATTRIBUTES/VARIABLE_VALUE",
                                        "_CHECKPOINTABLE_OBJECT_GRAPH")},
  });
}

std::string Join(const std::vector<std::string>& tokens) {
  std::string s;
  for (const std::string& t : tokens) s += t;
  return s;
}

rc::Gen<std::string> ShortName(bool binary) {
  return rc::gen::map(rc::gen::container<std::vector<std::string>>(NameToken(binary)),
                      [](const std::vector<std::string>& tokens) {
                        std::string s = Join(tokens);
                        if (s.empty() || s[0] == '\0') s.insert(0, "v");
                        return s;
                      });
}

// Repeats `seed` (non-empty) to exactly `length` bytes without cutting a
// UTF-8 sequence (pads with ASCII instead).
std::string Stretch(const std::string& seed, size_t length) {
  std::string s;
  s.reserve(length + 4);
  while (s.size() < length) {
    for (char c : seed) {
      s.push_back(c);
    }
  }
  // Trim back to a character boundary at or below `length`.
  size_t cut = std::min(length, s.size());
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80 && cut < s.size()) --cut;
  s.resize(cut);
  while (s.size() < length) s.push_back('x');
  return s;
}

}  // namespace

rc::Gen<std::string> GenTensorName(bool binary) {
  return rc::gen::weightedOneOf<std::string>({
      {95, ShortName(binary)},
      {5, rc::gen::apply([](const std::string& seed, int len) { return Stretch(seed, len); },
                         ShortName(binary), rc::gen::inRange(1000, 30001))},
  });
}

namespace {

// Makes names distinct (suffixing duplicates), keeping the order.
std::vector<std::string> Dedupe(std::vector<std::string> names) {
  std::set<std::string> seen;
  for (size_t i = 0; i < names.size(); ++i) {
    while (!seen.insert(names[i]).second) names[i] += StrCat("_", i);
  }
  return names;
}

}  // namespace

rc::Gen<std::vector<std::string>> GenTensorNames(int n, bool binary) {
  const size_t count = static_cast<size_t>(std::max(0, n));
  auto independent = rc::gen::map(rc::gen::container<std::vector<std::string>>(count, GenTensorName(binary)),
                                  Dedupe);
  auto shared_prefix = rc::gen::apply(
      [](const std::string& seed, int prefix_len, std::vector<std::string> suffixes) {
        const std::string prefix = Stretch(seed, static_cast<size_t>(prefix_len));
        for (std::string& s : suffixes) s = prefix + s;
        return Dedupe(std::move(suffixes));
      },
      ShortName(binary),
      rc::gen::weightedOneOf<int>({{3, rc::gen::inRange(1, 100)},
                                   {5, rc::gen::inRange(100, 2000)},
                                   {2, rc::gen::inRange(2000, 40001)}}),
      rc::gen::container<std::vector<std::string>>(
          count, rc::gen::weightedOneOf<std::string>(
                     {{1, rc::gen::just(std::string())}, {9, ShortName(binary)}})));
  // Each name extends an earlier one: "a", "a/b", "a/b:0", "a/c"...
  auto hierarchy = rc::gen::map(
      rc::gen::container<std::vector<std::tuple<uint32_t, std::string, std::string>>>(
          count, rc::gen::tuple(rc::gen::arbitrary<uint32_t>(),
                                rc::gen::element<std::string>("/", ":", "", "."),
                                ShortName(binary))),
      [](const std::vector<std::tuple<uint32_t, std::string, std::string>>& steps) {
        std::vector<std::string> names;
        for (const auto& [parent, sep, token] : steps) {
          if (names.empty()) {
            names.push_back(token);
          } else {
            names.push_back(names[parent % names.size()] + sep + token);
          }
        }
        return Dedupe(std::move(names));
      });
  return rc::gen::weightedOneOf<std::vector<std::string>>(
      {{5, independent}, {3, shared_prefix}, {2, hierarchy}});
}

// ---- slices -----------------------------------------------------------------

namespace {

struct Box {
  std::vector<int64_t> start, length;
};

std::vector<TensorSlice> MakePartition(const TensorShape& shape, const std::vector<uint32_t>& ops,
                                       uint64_t full_bits) {
  const int rank = shape.rank();
  std::vector<Box> boxes(1);
  boxes[0].start.assign(rank, 0);
  boxes[0].length = shape.dims();
  for (uint32_t op : ops) {
    Box& b = boxes[op % boxes.size()];
    std::vector<int> splittable;
    for (int d = 0; d < rank; ++d) {
      if (b.length[d] >= 2) splittable.push_back(d);
    }
    if (splittable.empty()) continue;
    const int d = splittable[(op / 7) % splittable.size()];
    const int64_t point = 1 + static_cast<int64_t>((op / 131) % static_cast<uint32_t>(b.length[d] - 1));
    Box second = b;
    second.start[d] += point;
    second.length[d] -= point;
    b.length[d] = point;
    boxes.push_back(std::move(second));
  }
  std::vector<TensorSlice> out;
  int bit = 0;
  for (const Box& b : boxes) {
    std::vector<TensorSlice::Extent> extents(rank);
    for (int d = 0; d < rank; ++d) {
      const bool whole = b.start[d] == 0 && b.length[d] == shape.dim(d);
      const bool use_full = shape.dim(d) == 0 || (whole && ((full_bits >> (bit++ % 64)) & 1));
      if (use_full) {
        extents[d] = TensorSlice::Extent{0, TensorSlice::kFullExtent};
      } else {
        extents[d] = TensorSlice::Extent{b.start[d], b.length[d]};
      }
    }
    out.emplace_back(std::move(extents));
  }
  return out;
}

}  // namespace

rc::Gen<std::vector<TensorSlice>> GenPartition(const TensorShape& shape, int max_parts) {
  return rc::gen::mapcat(rc::gen::inRange(0, std::max(1, max_parts)), [shape](int splits) {
    return rc::gen::apply(
        [shape](const std::vector<uint32_t>& ops, uint64_t full_bits) {
          return MakePartition(shape, ops, full_bits);
        },
        rc::gen::container<std::vector<uint32_t>>(static_cast<size_t>(splits),
                                                  rc::gen::arbitrary<uint32_t>()),
        rc::gen::arbitrary<uint64_t>());
  });
}

rc::Gen<TensorSlice> GenSubSlice(const TensorShape& shape) {
  std::vector<int64_t> dims = shape.dims();
  return rc::gen::map(
      rc::gen::container<std::vector<std::tuple<int, uint64_t, uint64_t>>>(
          dims.size(), rc::gen::tuple(rc::gen::inRange(0, 100), rc::gen::arbitrary<uint64_t>(),
                                      rc::gen::arbitrary<uint64_t>())),
      [dims](const std::vector<std::tuple<int, uint64_t, uint64_t>>& choices) {
        std::vector<TensorSlice::Extent> extents(dims.size());
        for (size_t d = 0; d < dims.size(); ++d) {
          const auto& [kind, a, b] = choices[d];
          const int64_t dim = dims[d];
          if (dim == 0 || kind < 25) {
            extents[d] = TensorSlice::Extent{0, TensorSlice::kFullExtent};
          } else if (kind < 35) {
            extents[d] = TensorSlice::Extent{0, dim};
          } else {
            const int64_t start = static_cast<int64_t>(a % static_cast<uint64_t>(dim));
            const int64_t len = 1 + static_cast<int64_t>(b % static_cast<uint64_t>(dim - start));
            extents[d] = TensorSlice::Extent{start, len};
          }
        }
        return TensorSlice(std::move(extents));
      });
}

// ---- checkpoints ------------------------------------------------------------

namespace {

struct Body {
  Tensor value;
  std::vector<TensorSlice> parts;
};

bool Splittable(const TensorShape& s) {
  for (int64_t d : s.dims()) {
    if (d >= 2) return true;
  }
  return false;
}

rc::Gen<Body> GenBody(const CheckpointLimits& limits) {
  return rc::gen::mapcat(GenDtype(limits.dtypes), [limits](DataType dtype) {
    ShapeLimits sl = limits.shape;
    const int size = tensor::DataTypeSize(dtype);
    // Strings: ~450 bytes per element on average (see StringValue).
    const uint64_t per_element = size > 0 ? static_cast<uint64_t>(size) : 256;
    sl.max_elements = std::max<int64_t>(
        1, std::min<int64_t>(sl.max_elements,
                             static_cast<int64_t>(limits.max_tensor_bytes / per_element)));
    return rc::gen::mapcat(GenShape(sl), [limits, dtype](const TensorShape& shape) {
      const int pct = Splittable(shape) ? std::clamp(limits.partitioned_percent, 0, 100) : 0;
      auto parts = rc::gen::weightedOneOf<std::vector<TensorSlice>>(
          {{static_cast<size_t>(100 - pct), rc::gen::just(std::vector<TensorSlice>())},
           {static_cast<size_t>(pct), GenPartition(shape, limits.max_parts)}});
      return rc::gen::apply(
          [](Tensor value, std::vector<TensorSlice> p) { return Body{std::move(value), std::move(p)}; },
          GenTensor(dtype, shape, limits.values), parts);
    });
  });
}

}  // namespace

rc::Gen<std::vector<TensorSpec>> GenCheckpoint(const CheckpointLimits& limits) {
  const int lo = std::max(0, limits.min_tensors);
  const int hi = std::max(lo, limits.max_tensors);
  return rc::gen::mapcat(rc::gen::inRange(lo, hi + 1), [limits](int n) {
    return rc::gen::apply(
        [](const std::vector<std::string>& names, std::vector<Body> bodies) {
          std::vector<TensorSpec> out;
          for (size_t i = 0; i < names.size() && i < bodies.size(); ++i) {
            out.push_back(TensorSpec{names[i], std::move(bodies[i].value),
                                     std::move(bodies[i].parts)});
          }
          return out;
        },
        GenTensorNames(n, limits.binary_names),
        rc::gen::container<std::vector<Body>>(static_cast<size_t>(n), GenBody(limits)));
  });
}

rc::Gen<TensorSpec> GenPartitionedTensor(const std::vector<DataType>& dtypes, bool binary_name,
                                         int max_parts) {
  return rc::gen::exec([dtypes, binary_name, max_parts] {
    const DataType dtype = *GenDtype(dtypes);
    ShapeLimits sl;
    const int size = tensor::DataTypeSize(dtype);
    sl.max_elements = std::min<int64_t>(1 << 15, (1 << 20) / (size > 0 ? size : 256));
    const TensorShape shape = *rc::gen::suchThat(GenShape(sl), Splittable);
    TensorSpec spec;
    spec.name = *GenTensorName(binary_name);
    spec.value = *GenTensor(dtype, shape);
    spec.parts = *GenPartition(shape, max_parts);
    return spec;
  });
}

// ---- faults -----------------------------------------------------------------

rc::Gen<int64_t> GenFaultPoint(int64_t total) {
  total = std::max<int64_t>(0, total);
  return rc::gen::weightedOneOf<int64_t>(
      {{1, rc::gen::inRange<int64_t>(0, total + 1)},
       {1, rc::gen::inRange<int64_t>(std::max<int64_t>(0, total - 40), total + 1)}});
}

// ---- reference helpers ------------------------------------------------------

Tensor ReferenceRegion(const Tensor& whole, const TensorSlice& slice) {
  const TensorShape& full = whole.shape();
  const TensorShape region = *slice.SliceShape(full);
  Tensor out = *Tensor::Allocate(whole.dtype(), region);
  const int rank = full.rank();
  std::vector<int64_t> stride(rank, 1);
  for (int d = rank - 2; d >= 0; --d) stride[d] = stride[d + 1] * full.dim(d + 1);
  const int64_t es = tensor::DataTypeSize(whole.dtype());
  std::vector<int64_t> idx(rank, 0);
  for (int64_t i = 0; i < region.num_elements(); ++i) {
    int64_t src = 0;
    for (int d = 0; d < rank; ++d) src += (slice.start(d) + idx[d]) * stride[d];
    if (whole.is_string()) {
      (*out.mutable_strings())[i] = whole.strings()[src];
    } else {
      std::memcpy(out.mutable_raw_data() + i * es, whole.raw_data() + src * es, es);
    }
    for (int d = rank - 1; d >= 0; --d) {
      if (++idx[d] < region.dim(d)) break;
      idx[d] = 0;
    }
  }
  return out;
}

std::string TensorDiff(const Tensor& a, const Tensor& b) {
  if (a.BitwiseEquals(b)) return "";
  if (a.dtype() != b.dtype()) {
    return StrCat("dtype ", tensor::DataTypeName(a.dtype()), " vs ",
                  tensor::DataTypeName(b.dtype()));
  }
  if (a.shape() != b.shape()) {
    return StrCat("shape ", a.shape().DebugString(), " vs ", b.shape().DebugString());
  }
  const int64_t n = a.num_elements();
  if (a.is_string()) {
    for (int64_t i = 0; i < n; ++i) {
      if (a.strings()[i] != b.strings()[i]) {
        return StrCat("string element ", i, ": ", a.strings()[i].size(), " bytes \"",
                      ShowName(a.strings()[i]), "\" vs ", b.strings()[i].size(), " bytes \"",
                      ShowName(b.strings()[i]), "\"");
      }
    }
    return "strings differ";
  }
  const int64_t es = tensor::DataTypeSize(a.dtype());
  for (int64_t i = 0; i < n; ++i) {
    if (std::memcmp(a.raw_data() + i * es, b.raw_data() + i * es, es) != 0) {
      return StrCat("element ", i, " of ", n, ": bytes ", io::Hex(std::string_view(a.raw_data() + i * es, es)),
                    " vs ", io::Hex(std::string_view(b.raw_data() + i * es, es)));
    }
  }
  return "values differ";
}

std::string ShowName(const std::string& name) {
  std::string s;
  for (size_t i = 0; i < name.size() && i < 80; ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      s += static_cast<char>(c);
    } else {
      s += StrCat("\\x", io::Hex(std::string_view(&name[i], 1)));
    }
  }
  if (name.size() > 80) s += StrCat("...(", name.size(), " bytes)");
  return s;
}

}  // namespace tfckpt::testing

namespace tfckpt::tensor {

void showValue(const Tensor& t, std::ostream& os) {
  os << t.DebugString(8);
  if (t.is_string()) {
    uint64_t bytes = 0;
    for (const std::string& s : t.strings()) bytes += s.size();
    os << " (" << bytes << " string bytes)";
  }
}
void showValue(const TensorShape& s, std::ostream& os) { os << s.DebugString(); }
void showValue(const TensorSlice& s, std::ostream& os) { os << s.DebugString(); }

}  // namespace tfckpt::tensor

namespace tfckpt::testing {

void showValue(const TensorSpec& t, std::ostream& os) {
  os << "{name \"" << ShowName(t.name) << "\" ";
  tensor::showValue(t.value, os);
  if (!t.parts.empty()) {
    os << " parts [";
    for (size_t i = 0; i < t.parts.size(); ++i) os << (i ? " " : "") << t.parts[i].DebugString();
    os << "]";
  }
  os << "}";
}

}  // namespace tfckpt::testing
