"""Offline shim: re-exports Bazel's native C++ rules under the rules_cc names.

Debian's bazel-rules-cc is too new for bazel-bootstrap 4.2.3 (it needs
use_cpp_toolchain), and the real repository would be downloaded."""

cc_binary = native.cc_binary
cc_library = native.cc_library
cc_test = native.cc_test
cc_import = native.cc_import
cc_proto_library = native.cc_proto_library
cc_toolchain = native.cc_toolchain
cc_toolchain_suite = native.cc_toolchain_suite
objc_library = native.objc_library
