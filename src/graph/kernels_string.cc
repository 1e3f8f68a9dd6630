// String ops a Saver graph uses (tensorflow/core/ops/string_ops.cc,
// io_ops.cc): StringJoin, ShardedFilename, ShardedFilespec,
// StaticRegexFullMatch. StaticRegexFullMatch uses std::regex (ECMAScript)
// instead of RE2; the Saver's pattern "^s3://.*" means the same in both.
#include <cstdio>
#include <regex>

#include "src/graph/kernel_util.h"

namespace tfckpt::graph {
namespace {

Status StringJoinOp(OpKernelContext* ctx) {
  TFCKPT_ASSIGN_OR_RETURN(std::string separator, ctx->node().AttrString("separator"));
  TensorShape shape;
  bool have_shape = false;
  for (int i = 0; i < ctx->num_inputs(); ++i) {
    const Tensor& in = ctx->input(i);
    if (IsScalar(in)) continue;
    if (!have_shape) {
      shape = in.shape();
      have_shape = true;
    } else if (shape != in.shape()) {
      return InvalidArgumentError(StrCat("Input shapes do not match: ", shape.DebugString(),
                                         " vs. ", in.shape().DebugString()));
    }
  }
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, tensorflow::DT_STRING, shape));
  std::vector<std::string>& o = *out->mutable_strings();
  for (int64_t k = 0; k < shape.num_elements(); ++k) {
    for (int i = 0; i < ctx->num_inputs(); ++i) {
      const Tensor& in = ctx->input(i);
      if (i > 0) o[k] += separator;
      o[k] += in.strings()[IsScalar(in) ? 0 : k];
    }
  }
  return OkStatus();
}

// TF's IsLegacyScalar: a scalar or a one-element vector.
bool IsLegacyScalar(const Tensor& t) {
  return t.shape().rank() == 0 || (t.shape().rank() == 1 && t.shape().dim(0) == 1);
}

Status CheckScalars(OpKernelContext* ctx, const char* const* names) {
  for (int i = 0; i < ctx->num_inputs(); ++i) {
    if (!IsLegacyScalar(ctx->input(i))) {
      return InvalidArgumentError(StrCat(names[i], " must be a scalar, got shape ",
                                         ctx->input(i).shape().DebugString()));
    }
  }
  return OkStatus();
}

Status ShardedFilenameOp(OpKernelContext* ctx) {
  static const char* const kNames[] = {"basename", "shard", "num_shards"};
  TFCKPT_RETURN_IF_ERROR(CheckScalars(ctx, kNames));
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out,
                          ctx->AllocateOutput(0, tensorflow::DT_STRING, TensorShape{}));
  char suffix[48];
  std::snprintf(suffix, sizeof(suffix), "-%05d-of-%05d", ctx->input(1).flat<int32_t>()[0],
                ctx->input(2).flat<int32_t>()[0]);
  (*out->mutable_strings())[0] = ctx->input(0).strings()[0] + suffix;
  return OkStatus();
}

Status ShardedFilespecOp(OpKernelContext* ctx) {
  static const char* const kNames[] = {"basename", "num_shards"};
  TFCKPT_RETURN_IF_ERROR(CheckScalars(ctx, kNames));
  TFCKPT_ASSIGN_OR_RETURN(Tensor * out,
                          ctx->AllocateOutput(0, tensorflow::DT_STRING, TensorShape{}));
  char suffix[32];
  std::snprintf(suffix, sizeof(suffix), "-\?\?\?\?\?-of-%05d", ctx->input(1).flat<int32_t>()[0]);
  (*out->mutable_strings())[0] = ctx->input(0).strings()[0] + suffix;
  return OkStatus();
}

class StaticRegexFullMatchOp : public OpKernel {
 public:
  Status Init(const Node& node, const KernelOptions&) override {
    TFCKPT_ASSIGN_OR_RETURN(std::string pattern, node.AttrString("pattern"));
    try {
      re_ = std::regex(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return InvalidArgumentError(StrCat("Invalid pattern: ", pattern, ", error: ", e.what()));
    }
    return OkStatus();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    TFCKPT_ASSIGN_OR_RETURN(Tensor * out, ctx->AllocateOutput(0, tensorflow::DT_BOOL, in.shape()));
    for (int64_t i = 0; i < in.num_elements(); ++i) {
      out->mutable_flat<bool>()[i] = std::regex_match(in.strings()[i], re_);
    }
    return OkStatus();
  }

 private:
  std::regex re_;
};

}  // namespace

void RegisterStringOps(OpRegistry* r) {
  r->Register(OpDefBuilder("StringJoin")
                  .Input("inputs: N * string")
                  .Attr("N: int >= 0")
                  .Attr("separator: string = ''")
                  .Output("output: string"),
              FnKernel(StringJoinOp));
  r->Register(OpDefBuilder("ShardedFilename")
                  .Input("basename: string")
                  .Input("shard: int32")
                  .Input("num_shards: int32")
                  .Output("filename: string"),
              FnKernel(ShardedFilenameOp));
  r->Register(OpDefBuilder("ShardedFilespec")
                  .Input("basename: string")
                  .Input("num_shards: int32")
                  .Output("filename: string"),
              FnKernel(ShardedFilespecOp));
  r->Register(OpDefBuilder("StaticRegexFullMatch")
                  .Input("input: string")
                  .Output("output: bool")
                  .Attr("pattern: string"),
              Kernel<StaticRegexFullMatchOp>());
}

}  // namespace tfckpt::graph
