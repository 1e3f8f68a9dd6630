#include "src/state/python_path.h"

#include <unistd.h>

#include <cerrno>

#include <vector>

namespace tfckpt::state {
namespace {

// [x for x in path.split('/') if x]
std::vector<std::string_view> NonEmptyComponents(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

}  // namespace

bool PyIsAbs(std::string_view path) { return !path.empty() && path[0] == '/'; }

std::string PyJoin(std::string_view a, std::string_view b) {
  std::string path(a);
  if (PyIsAbs(b)) {
    path.assign(b);
  } else if (path.empty() || path.back() == '/') {
    path.append(b);
  } else {
    path.push_back('/');
    path.append(b);
  }
  return path;
}

std::string PyDirname(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return "";
  std::string_view head = path.substr(0, slash + 1);
  if (head.find_first_not_of('/') != std::string_view::npos) {
    while (!head.empty() && head.back() == '/') head.remove_suffix(1);
  }
  return std::string(head);
}

std::string PyNormPath(std::string_view path) {
  if (path.empty()) return ".";
  int initial_slashes = path[0] == '/' ? 1 : 0;
  if (initial_slashes && path.size() >= 2 && path[1] == '/' &&
      !(path.size() >= 3 && path[2] == '/')) {
    initial_slashes = 2;
  }
  std::vector<std::string_view> comps;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view comp = path.substr(i, j - i);
    i = j + 1;
    if (comp.empty() || comp == ".") continue;
    if (comp != ".." || (!initial_slashes && comps.empty()) ||
        (!comps.empty() && comps.back() == "..")) {
      comps.push_back(comp);
    } else if (!comps.empty()) {
      comps.pop_back();
    }
  }
  std::string out(static_cast<size_t>(initial_slashes), '/');
  for (size_t k = 0; k < comps.size(); ++k) {
    if (k > 0) out.push_back('/');
    out.append(comps[k]);
  }
  return out.empty() ? "." : out;
}

std::string PyAbsPath(std::string_view path, std::string_view cwd) {
  if (!PyIsAbs(path)) return PyNormPath(PyJoin(cwd, path));
  return PyNormPath(path);
}

StatusOr<std::string> PyRelPath(std::string_view path, std::string_view start,
                                std::string_view cwd) {
  if (path.empty()) return InvalidArgumentError("no path specified");
  const std::string abs_start = PyAbsPath(start, cwd);
  const std::string abs_path = PyAbsPath(path, cwd);
  const auto start_list = NonEmptyComponents(abs_start);
  const auto path_list = NonEmptyComponents(abs_path);
  size_t common = 0;
  while (common < start_list.size() && common < path_list.size() &&
         start_list[common] == path_list[common]) {
    ++common;
  }
  std::string out;
  auto add = [&out](std::string_view comp) {
    if (!out.empty()) out.push_back('/');
    out.append(comp);
  };
  for (size_t k = common; k < start_list.size(); ++k) add("..");
  for (size_t k = common; k < path_list.size(); ++k) add(path_list[k]);
  return out.empty() ? std::string(".") : out;
}

std::string CurrentDir() {
  std::string buf(256, '\0');
  while (true) {
    if (getcwd(buf.data(), buf.size()) != nullptr) {
      buf.resize(std::char_traits<char>::length(buf.c_str()));
      return buf;
    }
    if (errno != ERANGE || buf.size() > (1u << 20)) return "/";
    buf.resize(buf.size() * 2);
  }
}

}  // namespace tfckpt::state
