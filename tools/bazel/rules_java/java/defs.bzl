"""Offline shim: re-exports Bazel's native Java rules (only referenced by Bazel itself)."""

java_binary = native.java_binary
java_library = native.java_library
java_test = native.java_test
java_import = native.java_import
java_proto_library = native.java_proto_library
java_runtime = native.java_runtime
java_toolchain = native.java_toolchain
