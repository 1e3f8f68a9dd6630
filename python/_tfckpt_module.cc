// _tfckpt: the C++ side of the Python package tfckpt (python/tfckpt/), a thin
// layer over the library: every path goes through cli::Checkpoint (the one
// resolver, src/path, and the V1/V2 readers), check::Validate,
// bundle::BundleWriter / checkpoint_v1::TensorSliceWriter and
// safetensors::WriteSafetensors. Numbers cross as raw bytes (a uint8 array
// that borrows the tensor's memory, or a buffer to borrow); tfckpt/_dtypes.py
// turns them into typed numpy arrays. Errors raise tfckpt.errors classes
// (errors.from_status) with the status code and, for reads, the defect code
// the validator gives the same path.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <vector>

#include "src/bundle/bundle_writer.h"
#include "src/check/validator.h"
#include "src/cli/checkpoint_source.h"
#include "src/io/env.h"
#include "src/safetensors/safetensors_writer.h"
#include "src/checkpoint_v1/tensor_slice_writer.h"
#include "src/tensor/tensor.h"

namespace py = pybind11;

namespace tfckpt::python {
namespace {

const char* StatusName(StatusCode code) {
  switch (code) {
    case StatusCode::kNotFound: return "NOT_FOUND";
    case StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case StatusCode::kPermissionDenied: return "PERMISSION_DENIED";
    case StatusCode::kDataLoss: return "DATA_LOSS";
    case StatusCode::kOutOfRange: return "OUT_OF_RANGE";
    case StatusCode::kUnimplemented: return "UNIMPLEMENTED";
    case StatusCode::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case StatusCode::kFailedPrecondition: return "FAILED_PRECONDITION";
    case StatusCode::kAlreadyExists: return "ALREADY_EXISTS";
    default: return "UNKNOWN";
  }
}

// Messages and keys may hold bytes that are not UTF-8 (binary slice keys,
// tensor names): shown with \\xNN escapes rather than failing the decode.
py::str Text(const std::string& bytes) {
  return py::bytes(bytes).attr("decode")("utf-8", "backslashreplace");
}

[[noreturn]] void Raise(const Status& s, const std::string& defect = "") {
  py::object error = py::module_::import("tfckpt.errors")
                         .attr("from_status")(StatusName(s.code()), Text(std::string(s.message())),
                                              defect.empty() ? py::object(py::none()) : py::str(defect));
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(error.ptr())), error.ptr());
  throw py::error_already_set();
}

// A read of `path` failed: the defect code is the validator's first error
// for the same path (the cost is paid only on failure).
[[noreturn]] void RaiseRead(const std::string& path, const Status& s) {
  std::string defect;
  {
    py::gil_scoped_release unlocked;
    check::Report report = check::Validate(io::Env::Default(), path);
    for (const check::Defect& d : report.defects) {
      if (!check::IsWarning(d.code)) {
        defect = std::string(check::DefectCodeName(d.code));
        break;
      }
    }
  }
  if (defect.empty() && s.code() == StatusCode::kNotFound) defect = "NOT_FOUND";
  if (defect.empty() && s.code() == StatusCode::kPermissionDenied) defect = "IO_ERROR";
  Raise(s, defect);
}

// The tensor's bytes as a 1-D uint8 array borrowing its memory (kept alive
// by a capsule); strings as a list of bytes.
py::object ToPython(tensor::Tensor t, bool writable) {
  if (t.is_string()) {
    py::list out;
    for (const std::string& s : t.strings()) out.append(py::bytes(s));
    return std::move(out);
  }
  if (writable) t.mutable_raw_data();  // a borrowed (mapped) tensor is copied once
  auto* owned = new tensor::Tensor(std::move(t));
  py::capsule owner(owned, [](void* p) { delete static_cast<tensor::Tensor*>(p); });
  const auto n = static_cast<py::ssize_t>(owned->TotalBytes());
  py::array_t<uint8_t> bytes({n}, {py::ssize_t{1}},
                             reinterpret_cast<const uint8_t*>(owned->raw_data()), owner);
  if (!writable) bytes.attr("setflags")(py::arg("write") = false);
  return std::move(bytes);
}

class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path) {
    auto ckpt = cli::Checkpoint::Open(io::Env::Default(), path);
    if (!ckpt.ok()) RaiseRead(path, ckpt.status());
    ckpt_ = std::move(*ckpt);
  }
  std::string Describe() const { return ckpt_->Describe(); }
  std::string Format() const { return ckpt_->format() == cli::CheckpointFormat::kV2 ? "V2" : "V1"; }
  std::string Prefix() const { return ckpt_->resolved().prefix; }

  // [(name as bytes, dtype name, shape)], sorted by name.
  std::vector<py::tuple> List() const {
    auto list = ckpt_->List();
    if (!list.ok()) RaiseRead(path_, list.status());
    std::vector<py::tuple> out;
    for (const cli::TensorSummary& t : *list) {
      out.push_back(py::make_tuple(py::bytes(t.name), tensor::DataTypeName(t.dtype), t.shape.dims()));
    }
    return out;
  }

  py::object Get(const std::string& name, bool writable) const {
    StatusOr<tensor::Tensor> t = [&] {
      py::gil_scoped_release unlocked;
      return ckpt_->Lookup(name);
    }();
    if (!t.ok()) RaiseRead(path_, t.status());
    return ToPython(std::move(*t), writable);
  }

  // Every tensor of the reader to a safetensors file; `names` pairs each
  // source name with its name in the file (tensors not listed are left out).
  void ToSafetensors(const std::string& out, const std::vector<std::pair<std::string, std::string>>& names,
                     const std::map<std::string, std::string>& metadata) const {
    auto list = ckpt_->List();
    if (!list.ok()) RaiseRead(path_, list.status());
    std::map<std::string, const cli::TensorSummary*> by_name;
    for (const auto& t : *list) by_name[t.name] = &t;
    std::vector<safetensors::SafetensorsEntry> entries;
    for (const auto& [from, to] : names) {
      auto it = by_name.find(from);
      if (it == by_name.end()) Raise(NotFoundError(StrCat(Prefix(), ": no tensor \"", from, "\"")));
      entries.push_back({to, it->second->dtype, it->second->shape});
    }
    Status s;
    {
      py::gil_scoped_release unlocked;
      s = safetensors::WriteSafetensors(io::Env::Default(), out, entries,
                                        [&](size_t i) { return ckpt_->Lookup(names[i].first); }, metadata);
    }
    if (!s.ok()) Raise(s);
  }

 private:
  std::string path_;
  std::unique_ptr<cli::Checkpoint> ckpt_;
};

// One tensor to write: numbers borrow `data` (a C-contiguous buffer in host
// order); strings come as a list of bytes.
tensor::Tensor FromPython(const std::string& name, const std::string& dtype_name,
                          const std::vector<int64_t>& dims, const py::object& data) {
  auto dtype = tensor::DataTypeFromName(dtype_name);
  auto shape = tensor::TensorShape::Make(dims);
  if (!dtype) Raise(InvalidArgumentError(StrCat("tensor \"", name, "\": unknown dtype ", dtype_name)));
  if (!shape.ok()) Raise(InvalidArgumentError(StrCat("tensor \"", name, "\": ", shape.status().message())));
  if (*dtype == tensorflow::DT_STRING) {
    std::vector<std::string> values;
    for (const py::handle& v : data) values.push_back(v.cast<std::string>());
    if (static_cast<int64_t>(values.size()) != shape->num_elements()) {
      Raise(InvalidArgumentError(StrCat("tensor \"", name, "\": ", values.size(), " strings for shape ",
                                        shape->DebugString())));
    }
    return tensor::Tensor::FromStrings(*shape, std::move(values));
  }
  py::buffer_info buf = py::buffer(data).request();
  const uint64_t want = static_cast<uint64_t>(shape->num_elements()) *
                        static_cast<uint64_t>(tensor::DataTypeSize(*dtype));
  if (tensor::DataTypeSize(*dtype) == 0 ||
      static_cast<uint64_t>(buf.size * buf.itemsize) != want) {
    Raise(InvalidArgumentError(StrCat("tensor \"", name, "\": ", buf.size * buf.itemsize,
                                      " bytes for ", dtype_name, " ", shape->DebugString(), " (",
                                      want, " expected)")));
  }
  return tensor::Tensor::Borrow(*dtype, *shape, static_cast<const char*>(buf.ptr), nullptr);
}

// items: [(name, dtype name, shape, data)].
void Save(const std::string& path, const std::vector<py::tuple>& items, const std::string& format) {
  std::vector<std::pair<std::string, tensor::Tensor>> tensors;
  for (const py::tuple& item : items) {
    const auto name = item[0].cast<std::string>();
    tensors.emplace_back(name, FromPython(name, item[1].cast<std::string>(),
                                          item[2].cast<std::vector<int64_t>>(), item[3]));
  }
  Status s;
  {
    py::gil_scoped_release unlocked;
    if (format == "V2") {
      bundle::BundleWriter writer(io::Env::Default(), path);
      for (const auto& [name, t] : tensors) {
        if (!writer.Add(name, t).ok()) break;
      }
      s = writer.Finish();
    } else {
      checkpoint_v1::TensorSliceWriter writer(io::Env::Default(), path);
      for (const auto& [name, t] : tensors) {
        s = writer.Add(name, t);
        if (!s.ok()) break;
      }
      if (s.ok()) s = writer.Finish();
    }
  }
  if (!s.ok()) Raise(s);
}

// (ok, [defect dicts], notes)
py::tuple Validate(const std::string& path, bool verify_data) {
  check::Report report;
  {
    py::gil_scoped_release unlocked;
    check::ValidateOptions options;
    options.verify_data = verify_data;
    report = check::Validate(io::Env::Default(), path, options);
  }
  py::list defects;
  for (const check::Defect& d : report.defects) {
    py::dict item;
    item["code"] = std::string(check::DefectCodeName(d.code));
    item["warning"] = check::IsWarning(d.code);
    item["file"] = Text(d.file);
    item["offset"] = d.offset ? py::object(py::int_(*d.offset)) : py::object(py::none());
    item["key"] = Text(d.key);
    item["message"] = Text(d.message);
    defects.append(item);
  }
  py::list notes;
  for (const std::string& n : report.notes) notes.append(Text(n));
  return py::make_tuple(report.ok(), defects, notes, report.errors(), report.warnings());
}

}  // namespace
}  // namespace tfckpt::python

PYBIND11_MODULE(_tfckpt, m) {
  using namespace tfckpt::python;  // NOLINT
  m.doc() = "C++ core of the tfckpt package (see tfckpt/__init__.py)";
  py::class_<Reader>(m, "Reader")
      .def(py::init<const std::string&>())
      .def("describe", &Reader::Describe)
      .def("format", &Reader::Format)
      .def("prefix", &Reader::Prefix)
      .def("list", &Reader::List)
      .def("get", &Reader::Get, py::arg("name"), py::arg("writable"))
      .def("to_safetensors", &Reader::ToSafetensors);
  m.def("save", &Save);
  m.def("validate", &Validate, py::arg("path"), py::arg("verify_data") = true);
}
