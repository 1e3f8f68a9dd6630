// Property tests of the TensorProto codec (src/tensor/tensor_proto.h;
// issue #8, docs/TESTING.md section 4): for every dtype the codec handles,
// random shapes and adversarial values (NaN payloads, -0.0, denormals,
// integer extremes, strings with NUL and invalid UTF-8), both layouts
// survive encode -> serialize -> parse -> decode bit-exactly, and the
// layouts are the ones TensorFlow 2.21 uses.
//
// The expectations are written here from TensorFlow's sources, not from
// tensor_proto.cc:
//  - tensorflow/core/framework/tensor.cc: ProtoHelper<T> (which repeated
//    field holds each dtype and how an element becomes a field value:
//    int8/int16/uint8/uint16/quantized/int4/uint4 as int32 in int_val,
//    half and bfloat16 as their 16-bit pattern in half_val, float8 as one
//    byte each in float8_val, complex as (re, im) pairs), FromProtoField
//    (no values -> T(), fewer than n -> the last one repeated; copy_n
//    converts an int32 to the element type by truncation), Helper<T>::Decode
//    (tensor_content is the element bytes exactly; strings use
//    port::EncodeStringList: n varint32 lengths, then the bytes).
//  - tensorflow/python/framework/tensor_util.py make_tensor_proto:
//    tensor_content for more than one element of a _TENSOR_CONTENT_TYPES
//    dtype (the list below is TF 2.21's, printed from the oracle venv),
//    the typed field otherwise.
#include <google/protobuf/repeated_field.h>

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "src/tensor/tensor_proto.h"
#include "src/testing/generators.h"

namespace tfckpt::tensor {
namespace {

using tensorflow::TensorProto;
using tfckpt::testing::FillTensor;
using tfckpt::testing::GenDtype;
using tfckpt::testing::GenShape;
using tfckpt::testing::GenTensor;
using tfckpt::testing::ShapeLimits;
using tfckpt::testing::TensorDiff;

// Every dtype of a bundle that TensorProto carries (all but int2, uint2,
// float4_e2m1fn, whose proto layout tfckpt does not implement).
const std::vector<DataType>& CodableDtypes() {
  static const std::vector<DataType> out = [] {
    std::vector<DataType> v;
    for (DataType d : tfckpt::testing::BundleDtypes()) {
      if (IsProtoCodableDataType(d)) v.push_back(d);
    }
    return v;
  }();
  return out;
}

// tensor_util._TENSOR_CONTENT_TYPES of TF 2.21 (float4_e2m1fn left out:
// not codable here).
bool IsTfContentType(DataType d) {
  static const std::set<DataType> kTypes = {
      tensorflow::DT_BFLOAT16,       tensorflow::DT_HALF,
      tensorflow::DT_FLOAT,          tensorflow::DT_DOUBLE,
      tensorflow::DT_FLOAT8_E4M3B11FNUZ, tensorflow::DT_FLOAT8_E4M3FN,
      tensorflow::DT_FLOAT8_E4M3FNUZ,    tensorflow::DT_FLOAT8_E5M2,
      tensorflow::DT_FLOAT8_E5M2FNUZ,    tensorflow::DT_INT16,
      tensorflow::DT_INT32,          tensorflow::DT_INT64,
      tensorflow::DT_INT8,           tensorflow::DT_QINT16,
      tensorflow::DT_QINT32,         tensorflow::DT_QINT8,
      tensorflow::DT_QUINT16,        tensorflow::DT_QUINT8,
      tensorflow::DT_UINT32,         tensorflow::DT_UINT64,
      tensorflow::DT_UINT8,
  };
  return kTypes.count(d) > 0;
}

// ---- TF's ProtoHelper table -------------------------------------------------

// The dtype -> field table is the library's (tensor_proto.h ProtoFieldOf);
// tensor_proto_test's TypedFieldOfEachDtype pins its choices against the
// spec's examples. These properties check what lands in the field.
using Field = ProtoField;

// Field values per element (complex: 2), as 64-bit patterns; floats as
// their bits. Strings separately.
std::vector<uint64_t> FieldBits(const TensorProto& p, Field f) {
  std::vector<uint64_t> out;
  auto bits32 = [](float v) { uint32_t b; std::memcpy(&b, &v, 4); return uint64_t{b}; };
  auto bits64 = [](double v) { uint64_t b; std::memcpy(&b, &v, 8); return b; };
  switch (f) {
    case Field::kFloat: for (float v : p.float_val()) out.push_back(bits32(v)); break;
    case Field::kScomplex: for (float v : p.scomplex_val()) out.push_back(bits32(v)); break;
    case Field::kDouble: for (double v : p.double_val()) out.push_back(bits64(v)); break;
    case Field::kDcomplex: for (double v : p.dcomplex_val()) out.push_back(bits64(v)); break;
    case Field::kInt: for (int32_t v : p.int_val()) out.push_back(static_cast<uint64_t>(int64_t{v})); break;
    case Field::kHalf: for (int32_t v : p.half_val()) out.push_back(static_cast<uint64_t>(int64_t{v})); break;
    case Field::kInt64: for (int64_t v : p.int64_val()) out.push_back(static_cast<uint64_t>(v)); break;
    case Field::kUint32: for (uint32_t v : p.uint32_val()) out.push_back(v); break;
    case Field::kUint64: for (uint64_t v : p.uint64_val()) out.push_back(v); break;
    case Field::kBool: for (bool v : p.bool_val()) out.push_back(v ? 1 : 0); break;
    case Field::kFloat8: for (char c : p.float8_val()) out.push_back(static_cast<uint8_t>(c)); break;
    case Field::kString:
    case Field::kNone: break;
  }
  return out;
}

// Number of values in every typed field (tensor_content excluded).
size_t TypedValueCount(const TensorProto& p) {
  return p.float_val_size() + p.double_val_size() + p.int_val_size() + p.int64_val_size() +
         p.uint32_val_size() + p.uint64_val_size() + p.bool_val_size() + p.half_val_size() +
         p.scomplex_val_size() + p.dcomplex_val_size() + p.string_val_size() +
         p.float8_val().size() + p.resource_handle_val_size() + p.variant_val_size();
}

// What ProtoHelper<T>::Fill stores for the element bytes at `e`: signed
// element types sign-extend into int32, unsigned ones zero-extend; half and
// bfloat16 are the uint16 pattern (never negative).
uint64_t ExpectedFieldBits(DataType d, const char* e, int unit) {
  uint64_t raw = 0;
  std::memcpy(&raw, e, unit);  // little-endian host
  switch (d) {
    case tensorflow::DT_INT8:
    case tensorflow::DT_QINT8:
    case tensorflow::DT_INT4: return static_cast<uint64_t>(int64_t{static_cast<int8_t>(raw)});
    case tensorflow::DT_INT16:
    case tensorflow::DT_QINT16: return static_cast<uint64_t>(int64_t{static_cast<int16_t>(raw)});
    case tensorflow::DT_INT32:
    case tensorflow::DT_QINT32: return static_cast<uint64_t>(int64_t{static_cast<int32_t>(raw)});
    default: return raw;  // unsigned, half/bfloat16 patterns, float bits, int64 as is
  }
}

// "" if `p`'s typed field holds exactly `t`'s elements the way TF's
// AsProtoField writes them (and nothing else is set).
std::string CheckFieldLayout(const Tensor& t, const TensorProto& p) {
  if (!p.tensor_content().empty()) return "tensor_content is set";
  const int64_t n = t.num_elements();
  const Field f = ProtoFieldOf(t.dtype());
  if (f == Field::kString) {
    if (p.string_val_size() != n || TypedValueCount(p) != static_cast<size_t>(n)) {
      return StrCat("string_val has ", p.string_val_size(), " values, want ", n);
    }
    for (int64_t i = 0; i < n; ++i) {
      if (p.string_val(static_cast<int>(i)) != t.strings()[i]) return StrCat("string_val ", i);
    }
    return "";
  }
  const bool complex = f == Field::kScomplex || f == Field::kDcomplex;
  const int unit = complex ? DataTypeSize(t.dtype()) / 2 : DataTypeSize(t.dtype());
  const int64_t values = complex ? 2 * n : n;
  const std::vector<uint64_t> got = FieldBits(p, f);
  if (static_cast<int64_t>(got.size()) != values ||
      TypedValueCount(p) != static_cast<size_t>(values)) {
    return StrCat("the typed field holds ", got.size(), " of ", TypedValueCount(p),
                  " values, want ", values);
  }
  for (int64_t i = 0; i < values; ++i) {
    const uint64_t want = ExpectedFieldBits(t.dtype(), t.raw_data() + i * unit, unit);
    if (got[i] != want) return StrCat("value ", i, ": ", got[i], " want ", want);
  }
  return "";
}

// port::EncodeStringList, written out: varint32 lengths, then the bytes.
std::string StringList(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) {
    uint64_t len = s.size();
    do {
      out.push_back(static_cast<char>((len & 0x7f) | (len >= 0x80 ? 0x80 : 0)));
      len >>= 7;
    } while (len > 0);
  }
  for (const std::string& s : v) out += s;
  return out;
}

std::string CheckContentLayout(const Tensor& t, const TensorProto& p) {
  if (TypedValueCount(p) != 0) return "a typed field is set";
  const std::string want = t.num_elements() == 0 ? std::string()
                           : t.is_string()       ? StringList(t.strings())
                                                 : std::string(t.raw_data(), t.TotalBytes());
  if (p.tensor_content() != want) {
    return StrCat("tensor_content of ", p.tensor_content().size(), " bytes, want ", want.size());
  }
  return "";
}

// Serialized and parsed back (the wire form of a graph constant), then
// decoded: must equal `t` bitwise.
std::string CheckDecodes(const Tensor& t, const TensorProto& p) {
  std::string wire;
  if (!p.SerializeToString(&wire)) return "SerializeToString failed";
  TensorProto parsed;
  if (!parsed.ParseFromString(wire)) return "ParseFromString failed";
  if (parsed.dtype() != t.dtype()) return "dtype lost";
  auto back = TensorFromProto(parsed);
  if (!back.ok()) return "TensorFromProto: " + back.status().ToString();
  return TensorDiff(*back, t);
}

rc::Gen<Tensor> GenCodableTensor() {
  return rc::gen::mapcat(GenDtype(CodableDtypes()), [](DataType d) {
    ShapeLimits limits;
    limits.max_elements = d == tensorflow::DT_STRING ? 256 : 4096;
    return rc::gen::mapcat(GenShape(limits), [d](const TensorShape& s) {
      return GenTensor(d, s, tfckpt::testing::ValueLimits{/*huge_string_percent=*/0});
    });
  });
}

// AsProtoField: every element in the dtype's typed field; decodes back.
TFCKPT_PROPERTY(TensorProtoProperty, FieldLayoutRoundTrips, 2000) {
  const Tensor t = *GenCodableTensor();
  RC_TAG(DataTypeName(t.dtype()));
  TensorProto p;
  const Status s = TensorToProtoField(t, &p);
  if (!s.ok()) RC_FAIL(s.ToString());
  RC_ASSERT(p.dtype() == t.dtype());
  const std::string layout = CheckFieldLayout(t, p);
  if (!layout.empty()) RC_FAIL(layout);
  const std::string diff = CheckDecodes(t, p);
  if (!diff.empty()) RC_FAIL(diff);
}

// AsProtoTensorContent: the element bytes (strings: EncodeStringList) in
// tensor_content; decodes back.
TFCKPT_PROPERTY(TensorProtoProperty, ContentLayoutRoundTrips, 2000) {
  const Tensor t = *GenCodableTensor();
  RC_TAG(DataTypeName(t.dtype()));
  TensorProto p;
  const Status s = TensorToProtoContent(t, &p);
  if (!s.ok()) RC_FAIL(s.ToString());
  const std::string layout = CheckContentLayout(t, p);
  if (!layout.empty()) RC_FAIL(layout);
  const std::string diff = CheckDecodes(t, p);
  if (!diff.empty()) RC_FAIL(diff);
}

// make_tensor_proto's choice of layout (tensor_util._TENSOR_CONTENT_TYPES,
// more than one element); decodes back.
TFCKPT_PROPERTY(TensorProtoProperty, MakeTensorProtoLayoutRoundTrips, 2000) {
  const Tensor t = *GenCodableTensor();
  const bool content = IsTfContentType(t.dtype()) && t.num_elements() > 1;
  RC_TAG(content ? "tensor_content" : "typed field");
  TensorProto p;
  const Status s = TensorToProto(t, &p);
  if (!s.ok()) RC_FAIL(s.ToString());
  RC_ASSERT(UsesTensorContent(t.dtype(), t.num_elements()) == content);
  const std::string layout = content ? CheckContentLayout(t, p) : CheckFieldLayout(t, p);
  if (!layout.empty()) RC_FAIL(StrCat(DataTypeName(t.dtype()), ": ", layout));
  const std::string diff = CheckDecodes(t, p);
  if (!diff.empty()) RC_FAIL(diff);
}

// Keeps the first k values of the typed field (k elements; complex: 2k).
void KeepFirst(TensorProto* p, int k) {
  p->mutable_float_val()->Truncate(std::min(k, p->float_val_size()));
  p->mutable_double_val()->Truncate(std::min(k, p->double_val_size()));
  p->mutable_int_val()->Truncate(std::min(k, p->int_val_size()));
  p->mutable_int64_val()->Truncate(std::min(k, p->int64_val_size()));
  p->mutable_uint32_val()->Truncate(std::min(k, p->uint32_val_size()));
  p->mutable_uint64_val()->Truncate(std::min(k, p->uint64_val_size()));
  p->mutable_bool_val()->Truncate(std::min(k, p->bool_val_size()));
  p->mutable_half_val()->Truncate(std::min(k, p->half_val_size()));
  p->mutable_scomplex_val()->Truncate(std::min(2 * k, p->scomplex_val_size()));
  p->mutable_dcomplex_val()->Truncate(std::min(2 * k, p->dcomplex_val_size()));
  while (p->string_val_size() > k) p->mutable_string_val()->RemoveLast();
  if (static_cast<int>(p->float8_val().size()) > k) p->mutable_float8_val()->resize(k);
}

// FromProtoField's compact form (make_tensor_proto writes it for
// tf.constant(value_list, shape=bigger)): with k < n values, elements
// 0..k-1 are those values and the rest repeat value k-1; with none, zeros
// (empty strings).
TFCKPT_PROPERTY(TensorProtoProperty, CompactFieldRepeatsLastValue, 2000) {
  const Tensor t = *GenCodableTensor();
  const int64_t n = t.num_elements();
  const int k = *rc::gen::inRange<int>(0, static_cast<int>(n) + 1);
  RC_TAG(k == 0 ? "no values" : k == n ? "all values" : k == 1 ? "one value" : "some values");
  TensorProto p;
  RC_ASSERT(TensorToProtoField(t, &p).ok());
  KeepFirst(&p, k);
  // The expected tensor, element by element.
  Tensor want = *Tensor::Allocate(t.dtype(), t.shape());
  if (t.is_string()) {
    for (int64_t i = 0; i < n && k > 0; ++i) {
      (*want.mutable_strings())[i] = t.strings()[std::min<int64_t>(i, k - 1)];
    }
  } else {
    const int64_t es = DataTypeSize(t.dtype());
    for (int64_t i = 0; i < n && k > 0; ++i) {
      std::memcpy(want.mutable_raw_data() + i * es, t.raw_data() + std::min<int64_t>(i, k - 1) * es,
                  es);
    }
  }
  const std::string diff = CheckDecodes(want, p);
  if (!diff.empty()) RC_FAIL(StrCat(DataTypeName(t.dtype()), " k=", k, " n=", n, ": ", diff));
}

// Any int32 in int_val / half_val decodes as FromProtoField's copy_n
// converts it: truncated to the element's width (two's complement), for
// the dtypes whose element type is a plain integer (int8, int16, int32,
// uint8, uint16, qint32's int32, int4/uint4's byte) or a 16-bit pattern
// (half, bfloat16). Quantized 8/16-bit types are left out: their Eigen
// types convert through constructors this test does not model.
TFCKPT_PROPERTY(TensorProtoProperty, OutOfRangeIntValuesTruncateLikeTf, 1000) {
  const DataType d = *rc::gen::element<DataType>(
      tensorflow::DT_INT8, tensorflow::DT_INT16, tensorflow::DT_INT32, tensorflow::DT_UINT8,
      tensorflow::DT_UINT16, tensorflow::DT_QINT32, tensorflow::DT_INT4, tensorflow::DT_UINT4,
      tensorflow::DT_HALF, tensorflow::DT_BFLOAT16);
  const auto values = *rc::gen::nonEmpty(rc::gen::container<std::vector<int32_t>>(
      rc::gen::oneOf(rc::gen::arbitrary<int32_t>(),
                     rc::gen::element<int32_t>(INT32_MIN, INT32_MAX, -1, 0, 255, 256, -129,
                                               65535, 65536, -32769))));
  const int64_t extra = *rc::gen::inRange<int64_t>(0, 4);
  const int64_t n = static_cast<int64_t>(values.size()) + extra;
  RC_TAG(DataTypeName(d));
  TensorProto p;
  p.set_dtype(d);
  p.mutable_tensor_shape()->add_dim()->set_size(n);
  for (int32_t v : values) {
    if (d == tensorflow::DT_HALF || d == tensorflow::DT_BFLOAT16) {
      p.add_half_val(v);
    } else {
      p.add_int_val(v);
    }
  }
  Tensor want = *Tensor::Allocate(d, TensorShape{n});
  const int es = DataTypeSize(d);
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t v = static_cast<uint32_t>(values[std::min<size_t>(i, values.size() - 1)]);
    std::memcpy(want.mutable_raw_data() + i * es, &v, es);  // low bytes, little-endian
  }
  const std::string diff = CheckDecodes(want, p);
  if (!diff.empty()) RC_FAIL(StrCat(DataTypeName(d), ": ", diff));
}

}  // namespace
}  // namespace tfckpt::tensor

namespace tfckpt::tensor {
namespace {

// Bug 7 (docs/TESTING.md section 5), found by MakeTensorProtoLayoutRoundTrips:
// TensorToProto wrote the three *fnuz float8 dtypes in float8_val, but TF
// 2.21's _TENSOR_CONTENT_TYPES lists them, so make_tensor_proto(np.zeros(2,
// float8_e4m3fnuz)) is `tensor_content: "\000\000"` (printed by the oracle
// venv).
TEST(TensorProtoPropertyRegression, FnuzFloat8UseTensorContent) {
  for (DataType d : {tensorflow::DT_FLOAT8_E4M3FNUZ, tensorflow::DT_FLOAT8_E4M3B11FNUZ,
                     tensorflow::DT_FLOAT8_E5M2FNUZ}) {
    SCOPED_TRACE(DataTypeName(d));
    const Tensor zeros = *Tensor::Allocate(d, TensorShape{2});
    TensorProto p;
    ASSERT_TRUE(TensorToProto(zeros, &p).ok());
    EXPECT_EQ(p.tensor_content(), std::string(2, '\0'));
    EXPECT_TRUE(p.float8_val().empty());
  }
}

}  // namespace
}  // namespace tfckpt::tensor
