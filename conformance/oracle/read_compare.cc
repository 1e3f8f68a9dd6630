// read_compare: reads a checkpoint with tfckpt and compares every tensor
// with a JSON of expected values (written by TensorFlow in the oracle tier:
// conformance/oracle/tf_writes_random.py).
//
//   read_compare <prefix> <expected.json>
//
// expected.json: {"format": "V2" | "V1",
//                 "tensors": [<tensor record>],   // every key of the checkpoint
//                 "restores": [{"key", "shape_and_slice", "expected": <tensor record>}]}
// Tensor records follow golden/MANIFEST.json. Prints one line per check and
// "read_compare: N ok, M mismatched"; exit 0 when all match, 1 on any
// mismatch, 2 on usage / unreadable JSON.
#include <fstream>
#include <iostream>
#include <set>

#include "conformance/oracle/tensor_record.h"
#include "nlohmann/json.hpp"
#include "src/bundle/bundle_reader.h"
#include "src/io/env.h"
#include "src/slices/tensor_slice_reader.h"

namespace tfckpt::conformance {
namespace {

using nlohmann::json;

struct Source {
  std::unique_ptr<bundle::BundleReader> v2;
  std::unique_ptr<slices::TensorSliceReader> v1;

  std::set<std::string> Keys() const {
    std::set<std::string> out;
    if (v2) {
      auto list = v2->ListTensors();
      if (list.ok()) {
        for (const auto& t : *list) out.insert(t.key);
      }
    } else {
      for (const auto& t : v1->ListTensors()) out.insert(t.name);
    }
    return out;
  }
  StatusOr<tensor::Tensor> Lookup(const std::string& key) const {
    return v2 ? v2->Lookup(key) : v1->Lookup(key);
  }
  StatusOr<tensor::Tensor> LookupSlice(const std::string& key, const tensor::TensorSlice& s) const {
    return v2 ? v2->LookupSlice(key, s) : v1->LookupSlice(key, s);
  }
};

int Main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: read_compare <prefix> <expected.json>\n";
    return 2;
  }
  const std::string prefix = argv[1];
  json doc;
  try {
    std::ifstream f(argv[2]);
    doc = json::parse(f);
  } catch (const std::exception& e) {
    std::cerr << "read_compare: cannot parse " << argv[2] << ": " << e.what() << "\n";
    return 2;
  }
  io::Env* env = io::Env::Default();
  Source src;
  const std::string format = doc.value("format", "V2");
  if (format == "V2") {
    auto r = bundle::BundleReader::Open(env, prefix);
    if (!r.ok()) {
      std::cout << "MISMATCH open " << prefix << ": " << r.status().ToString() << "\n";
      return 1;
    }
    src.v2 = std::move(*r);
  } else {
    auto r = slices::TensorSliceReader::Open(env, prefix);
    if (!r.ok()) {
      std::cout << "MISMATCH open " << prefix << ": " << r.status().ToString() << "\n";
      return 1;
    }
    src.v1 = std::move(*r);
  }
  int ok = 0, bad = 0;
  auto report = [&](const std::string& what, const std::string& diff) {
    if (diff.empty()) {
      ++ok;
      std::cout << "ok       " << what << "\n";
    } else {
      ++bad;
      std::cout << "MISMATCH " << what << ": " << diff << "\n";
    }
  };

  std::set<std::string> expected_keys;
  for (const json& rec : doc.at("tensors")) {
    const std::string key = rec.at("name");
    expected_keys.insert(key);
    auto t = src.Lookup(key);
    report(key, t.ok() ? CompareToRecord(*t, rec) : t.status().ToString());
  }
  const std::set<std::string> keys = src.Keys();
  std::string extra, missing;
  for (const auto& k : keys) {
    if (!expected_keys.count(k)) extra += " " + k;
  }
  for (const auto& k : expected_keys) {
    if (!keys.count(k)) missing += " " + k;
  }
  report("key set", extra.empty() && missing.empty()
                        ? ""
                        : StrCat("listed but not expected:", extra, "; expected but not listed:",
                                 missing));

  for (const json& r : doc.value("restores", json::array())) {
    const std::string key = r.at("key");
    const std::string spec = r.at("shape_and_slice");
    const std::string what = StrCat(key, " [", spec, "]");
    auto ss = tensor::ParseShapeAndSlice(spec);
    if (!ss.ok()) {
      report(what, ss.status().ToString());
      continue;
    }
    auto t = ss->whole ? src.Lookup(key) : src.LookupSlice(key, ss->slice);
    report(what, t.ok() ? CompareToRecord(*t, r.at("expected")) : t.status().ToString());
  }
  std::cout << "read_compare: " << ok << " ok, " << bad << " mismatched\n";
  return bad == 0 ? 0 : 1;
}

}  // namespace
}  // namespace tfckpt::conformance

int main(int argc, char** argv) { return tfckpt::conformance::Main(argc, argv); }
