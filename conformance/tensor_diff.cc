#include "conformance/tensor_diff.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "src/io/hex.h"
#include "src/io/status.h"
#include "src/tensor/dtype.h"
#include "src/tensor/tensor_record.h"

namespace tfckpt::conformance {

using nlohmann::json;

namespace {

// Hex of at most 32 bytes of an element, with "..." when cut.
std::string ElementHex(std::string_view bytes) {
  return bytes.size() <= 32 ? io::Hex(bytes) : io::Hex(bytes.substr(0, 32)) + "...";
}

// Index of the first element that differs, with both elements in hex;
// false if none differs.
bool FirstDifference(const tensor::Tensor& got, const tensor::Tensor& want, json* diff) {
  if (got.is_string()) {
    const auto& g = got.strings();
    const auto& w = want.strings();
    for (size_t i = 0; i < g.size() && i < w.size(); ++i) {
      if (g[i] != w[i]) {
        (*diff)["first_differing_element"] = i;
        (*diff)["got_element"] = ElementHex(g[i]);
        (*diff)["expected_element"] = ElementHex(w[i]);
        return true;
      }
    }
    return false;
  }
  const size_t size = tensor::DataTypeSize(got.dtype());
  if (size == 0 || got.TotalBytes() != want.TotalBytes()) return false;
  for (uint64_t off = 0; off < got.TotalBytes(); off += size) {
    if (std::memcmp(got.raw_data() + off, want.raw_data() + off, size) != 0) {
      (*diff)["first_differing_element"] = off / size;
      (*diff)["got_element"] = io::Hex(std::string_view(got.raw_data() + off, size));
      (*diff)["expected_element"] = io::Hex(std::string_view(want.raw_data() + off, size));
      return true;
    }
  }
  return false;
}

json Diff(const char* kind, const std::string& tensor) {
  return json{{"kind", kind}, {"tensor", tensor}};
}

}  // namespace

std::vector<json> DiffTensors(const json& result, const std::vector<json>& expected,
                              const std::set<std::string>& optional,
                              const ContentOf& expected_content, const ContentOf& got_content) {
  std::vector<json> diffs;
  if (!result.contains("tensors") || !result["tensors"].is_array()) {
    return {json{{"kind", "malformed"}, {"tensor", ""},
                 {"message", "result has no \"tensors\" array"}}};
  }
  std::map<std::string, const json*> got;
  for (const json& t : result["tensors"]) {
    if (!t.is_object() || !t.contains("name") || !t["name"].is_string()) {
      diffs.push_back(json{{"kind", "malformed"}, {"tensor", ""},
                           {"message", StrCat("a tensor without a string \"name\": ",
                                              t.dump().substr(0, 200))}});
      continue;
    }
    const std::string name = t["name"].get<std::string>();
    if (!got.emplace(name, &t).second) diffs.push_back(Diff("duplicate", name));
  }
  std::set<std::string> wanted;
  for (const json& e : expected) {
    const std::string name = e["name"].get<std::string>();
    wanted.insert(name);
    auto it = got.find(name);
    if (it == got.end()) {
      diffs.push_back(Diff("missing", name));
      continue;
    }
    const json& g = *it->second;
    if (g.contains("error")) {
      json d = Diff("refused", name);
      d["error"] = g["error"].is_string() ? g["error"].get<std::string>() : g["error"].dump();
      diffs.push_back(std::move(d));
      continue;
    }
    bool agree = true;
    for (const char* field : {"dtype", "shape"}) {
      const json got_field = g.contains(field) ? g[field] : json();
      if (got_field != e[field]) {
        json d = Diff(field, name);
        d["got"] = got_field;
        d["expected"] = e[field];
        diffs.push_back(std::move(d));
        agree = false;
      }
    }
    const json got_sha = g.contains("sha256") ? g["sha256"] : json();
    if (!agree || got_sha == e["sha256"]) continue;
    json d = Diff("values", name);
    d["got_sha256"] = got_sha;
    d["expected_sha256"] = e["sha256"];
    const tensor::Tensor* want = expected_content ? expected_content(name) : nullptr;
    const tensor::Tensor* have = got_content ? got_content(name) : nullptr;
    if (want == nullptr || have == nullptr) {
      d["note"] = have == nullptr ? "no data_hex/strings_hex returned: sha256 only"
                                  : "expected content unknown: sha256 only";
    } else if (!FirstDifference(*have, *want, &d)) {
      d["note"] = "the returned data equals the expected content: its sha256 is wrong";
    }
    diffs.push_back(std::move(d));
  }
  for (const auto& [name, t] : got) {
    if (!wanted.count(name) && !optional.count(name)) diffs.push_back(Diff("extra", name));
  }
  // A tensor TF itself refuses may be refused or absent: not a difference.
  diffs.erase(std::remove_if(diffs.begin(), diffs.end(),
                             [&](const json& d) {
                               return d["kind"] == "refused" &&
                                      optional.count(d["tensor"].get<std::string>());
                             }),
              diffs.end());
  return diffs;
}

std::string DescribeDiff(const json& d) {
  const std::string kind = d.value("kind", "");
  const std::string t = StrCat("tensor \"", d.value("tensor", ""), "\"");
  if (kind == "malformed") return d.value("message", "malformed");
  if (kind == "duplicate") return StrCat(t, " returned twice");
  if (kind == "missing") return StrCat(t, " missing");
  if (kind == "extra") return StrCat("unexpected ", t);
  if (kind == "refused") {
    std::string e = d.value("error", "");
    if (e.size() > 200) e = e.substr(0, 200) + "...";
    return StrCat(t, " refused: ", e);
  }
  if (kind == "dtype" || kind == "shape") {
    return StrCat(t, ": ", kind, " is ", d["got"].dump(), ", expected ", d["expected"].dump());
  }
  if (d.contains("first_differing_element")) {
    return StrCat(t, ": values differ from element ", d["first_differing_element"].dump(),
                  " (got ", d.value("got_element", ""), ", expected ",
                  d.value("expected_element", ""), ")");
  }
  return StrCat(t, ": sha256 is ", d["got_sha256"].dump(), ", expected ",
                d["expected_sha256"].dump(), d.contains("note") ? StrCat(" (", d.value("note", ""), ")") : "");
}

std::string SummarizeDiffs(const std::vector<json>& diffs, size_t cap) {
  std::string out;
  for (size_t i = 0; i < diffs.size() && i < cap; ++i) {
    if (i > 0) out += "; ";
    out += DescribeDiff(diffs[i]);
  }
  if (diffs.size() > cap) {
    out += StrCat("; and ", diffs.size() - cap, " more difference",
                  diffs.size() - cap == 1 ? "" : "s", " (all in --json)");
  }
  return out;
}

}  // namespace tfckpt::conformance
