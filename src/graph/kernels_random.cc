// Random ops (tensorflow/core/ops/random_ops.cc): RandomStandardNormal,
// TruncatedNormal, RandomUniform. Values do NOT match TF's Philox streams;
// what is honoured: dtype, shape, the distribution (standard normal; normal
// truncated to |x| <= 2 by resampling, as TF; uniform in [0, 1) built from
// random mantissa bits, as TF, so never 1.0) and the seeds: seed = seed2 = 0
// draws a nondeterministic seed, any other pair gives a reproducible stream
// per node, advancing across runs like TF's per-kernel generator.
#include <cstring>
#include <random>

#include "src/graph/kernel_util.h"

namespace tfckpt::graph {
namespace {

enum class Distribution { kNormal, kTruncatedNormal, kUniform };

template <Distribution kDist>
class RandomOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(dtype_, node.AttrType("dtype"));
    TFCKPT_ASSIGN_OR_RETURN(int64_t seed, node.AttrInt("seed"));
    TFCKPT_ASSIGN_OR_RETURN(int64_t seed2, node.AttrInt("seed2"));
    if (seed == 0 && seed2 == 0) {
      std::random_device rd;
      gen_.seed((static_cast<uint64_t>(rd()) << 32) ^ rd());
    } else {
      std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                        static_cast<uint32_t>(seed2), static_cast<uint32_t>(seed2 >> 32)};
      gen_.seed(seq);
    }
    return OkStatus();
  }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& shape_t = ctx->input(0);
    if (!IsVector(shape_t)) {
      return InvalidArgumentError(StrCat("shape must be a vector of {int32,int64}, got shape ",
                                         shape_t.shape().DebugString()));
    }
    TensorShape shape;
    TFCKPT_RETURN_IF_ERROR(MakeShape(shape_t, &shape));
    return Dispatch<kFloatingTypes>(dtype_, ctx->node().op(), [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, dtype_, shape));
      T* o = out->mutable_flat<T>();
      for (int64_t i = 0; i < shape.num_elements(); ++i) o[i] = Sample<T>();
      return OkStatus();
    });
  }

 private:
  template <typename T>
  T Sample() {
    if constexpr (kDist == Distribution::kUniform) {
      // Random mantissa over [1, 2), minus 1 (TF's Uint*ToFloat approach).
      if constexpr (std::is_same_v<T, double>) {
        const uint64_t bits = (gen_() >> 12) | 0x3ff0000000000000ull;
        double d;
        std::memcpy(&d, &bits, sizeof(d));
        return d - 1.0;
      } else {
        const int mantissa = std::is_same_v<T, float> ? 23 : std::is_same_v<T, Eigen::half> ? 10 : 7;
        const uint32_t bits = (static_cast<uint32_t>(gen_() >> 32) >> (32 - mantissa) << (23 - mantissa)) |
                              0x3f800000u;
        float f;
        std::memcpy(&f, &bits, sizeof(f));
        return static_cast<T>(f - 1.0f);
      }
    } else {
      std::normal_distribution<double> normal;
      double v = normal(gen_);
      if constexpr (kDist == Distribution::kTruncatedNormal) {
        while (v < -2.0 || v > 2.0) v = normal(gen_);
      }
      if constexpr (std::is_same_v<T, double>) {
        return v;
      } else {
        return static_cast<T>(static_cast<float>(v));
      }
    }
  }

  DataType dtype_ = tensorflow::DT_INVALID;
  std::mt19937_64 gen_;
};

OpDefBuilder RandomSpec(const char* name) {
  return OpDefBuilder(name)
      .Input("shape: T")
      .Output("output: dtype")
      .Attr("seed: int = 0")
      .Attr("seed2: int = 0")
      .Attr("dtype: {half, bfloat16, float, double}")
      .Attr("T: {int32, int64}")
      .SetIsStateful();
}

}  // namespace

void RegisterRandomOps(OpRegistry* r) {
  r->Register(RandomSpec("RandomStandardNormal"), Kernel<RandomOp<Distribution::kNormal>>());
  r->Register(RandomSpec("TruncatedNormal"), Kernel<RandomOp<Distribution::kTruncatedNormal>>());
  r->Register(RandomSpec("RandomUniform"), Kernel<RandomOp<Distribution::kUniform>>());
}

}  // namespace tfckpt::graph
