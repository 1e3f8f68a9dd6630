"""tfckpt_fuzzer: one libFuzzer target plus its regression test.

  bazel run --config=fuzz //fuzz:<name> -- <corpus dirs> [libFuzzer flags]
  bazel test //fuzz:<name>_regression   (in the default `bazel test //...`)

Without --config=fuzz the binary links a replay main (replay_main.cc) that
runs LLVMFuzzerTestOneInput over files and directories, so the regression
test replays fuzz/regressions/<name>/ and the golden seeds with ordinary
(or ASan) builds.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_test")

def tfckpt_fuzzer(name, srcs, deps = [], seeds = []):
    cc_binary(
        name = name,
        srcs = srcs,
        deps = deps + select({
            "//fuzz:fuzzing": [],
            "//conditions:default": ["//fuzz:replay_main"],
        }),
        linkopts = select({
            "//fuzz:fuzzing": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
    )
    cc_test(
        name = name + "_regression",
        srcs = srcs,
        deps = deps + ["//fuzz:replay_main"],
        data = native.glob(["regressions/" + name + "/**"]) + seeds,
        env = {"TFCKPT_FUZZ_TARGET": name},
    )
