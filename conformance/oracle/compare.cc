#include "conformance/oracle/compare.h"

#include <memory>
#include <set>

#include "src/bundle/bundle_reader.h"
#include "src/io/env.h"
#include "src/checkpoint_v1/tensor_slice_reader.h"
#include "src/tensor/tensor_record.h"

namespace tfckpt::conformance {
namespace {

using nlohmann::json;

struct Source {
  std::unique_ptr<bundle::BundleReader> v2;
  std::unique_ptr<checkpoint_v1::TensorSliceReader> v1;

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

}  // namespace

CompareReport CompareCheckpoint(const std::string& prefix, const json& doc) {
  CompareReport rep;
  auto report = [&](const std::string& what, const std::string& diff) {
    if (diff.empty()) {
      ++rep.ok;
      rep.lines.push_back("ok       " + what);
    } else {
      rep.lines.push_back("MISMATCH " + what + ": " + diff);
      rep.mismatches.push_back(rep.lines.back());
    }
  };
  io::Env* env = io::Env::Default();
  Source src;
  const std::string format =
      doc.value("format", doc.value("kind", "v2") == "v1" ? std::string("V1") : std::string("V2"));
  if (format == "V2") {
    auto r = bundle::BundleReader::Open(env, prefix);
    if (!r.ok()) {
      report("open " + prefix, r.status().ToString());
      return rep;
    }
    src.v2 = std::move(*r);
  } else {
    auto r = checkpoint_v1::TensorSliceReader::Open(env, prefix);
    if (!r.ok()) {
      report("open " + prefix, r.status().ToString());
      return rep;
    }
    src.v1 = std::move(*r);
  }

  std::set<std::string> expected_keys;
  for (const json& rec : doc.at("tensors")) {
    const std::string key = rec.at("name");
    expected_keys.insert(key);
    auto t = src.Lookup(key);
    report(key, t.ok() ? tensor::CompareToRecord(*t, rec) : t.status().ToString());
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
    report(what, t.ok() ? tensor::CompareToRecord(*t, r.at("expected")) : t.status().ToString());
  }
  return rep;
}

}  // namespace tfckpt::conformance
