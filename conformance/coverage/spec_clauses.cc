#include "conformance/coverage/spec_clauses.h"

#include <algorithm>
#include <optional>
#include <regex>
#include <sstream>

namespace tfckpt::coverage {
namespace {

const std::regex& HeaderRe() {
  static const std::regex re(
      R"(^\*\*([A-Z][A-Z0-9]*)-([0-9]+\.[0-9]+)\*\* \((MUST NOT|MUST|SHOULD NOT|SHOULD|MAY), (file|writer|reader)\))");
  return re;
}

// A line that starts a clause, well formed or not.
bool LooksLikeClause(const std::string& line) {
  static const std::regex re(R"(^\*\*[A-Z][A-Z0-9]*-[0-9]+\.[0-9]+\*\*)");
  return std::regex_search(line, re);
}

// The text after `marker` up to the closing '*' (or the end of the text).
std::string Reason(const std::string& text, const std::string& marker) {
  const size_t at = text.find(marker);
  if (at == std::string::npos) return "";
  std::string rest = text.substr(at + marker.size());
  rest = rest.substr(0, rest.find('*'));
  std::replace(rest.begin(), rest.end(), '\n', ' ');
  const size_t b = rest.find_first_not_of(' ');
  const size_t e = rest.find_last_not_of(' ');
  return b == std::string::npos ? "(no reason given)" : rest.substr(b, e - b + 1);
}

void AddClause(Spec* spec, Clause c, const std::string& text) {
  c.not_testable = Reason(text, "*Not testable:");
  c.unverified = text.find("*Unverified:") != std::string::npos;
  if (spec->index.count(c.id)) {
    spec->errors.push_back(StrCat(c.page, ": clause ", c.id, " defined twice"));
    return;
  }
  spec->index[c.id] = spec->clauses.size();
  spec->clauses.push_back(std::move(c));
}

}  // namespace

StatusOr<std::vector<std::string>> SpecPages(io::Env* env, const std::string& spec_dir,
                                             const std::string& generated) {
  TFCKPT_ASSIGN_OR_RETURN(std::vector<std::string> names, env->GetChildren(spec_dir));
  std::vector<std::string> pages;
  for (const std::string& n : names) {
    if (n.size() > 3 && n.compare(n.size() - 3, 3, ".md") == 0 && n != generated &&
        n != "README.md") {
      pages.push_back(n);
    }
  }
  if (std::find(names.begin(), names.end(), "README.md") == names.end()) {
    return NotFoundError(StrCat(spec_dir, "/README.md: no such file"));
  }
  pages.insert(pages.begin(), "README.md");
  return pages;
}

StatusOr<Spec> ReadSpec(io::Env* env, const std::string& spec_dir,
                        const std::vector<std::string>& pages) {
  Spec spec;
  for (const std::string& page : pages) {
    TFCKPT_ASSIGN_OR_RETURN(std::string text, env->ReadFileToString(io::JoinPath(spec_dir, page)));
    std::istringstream lines(text);
    std::string line, body;
    std::optional<Clause> open;
    std::set<std::string> page_prefixes;
    auto close = [&] {
      if (open) AddClause(&spec, std::move(*open), body);
      open.reset();
      body.clear();
    };
    int number = 0;
    while (std::getline(lines, line)) {
      ++number;
      std::smatch m;
      if (std::regex_search(line, m, HeaderRe())) {
        close();
        open = Clause{StrCat(m[1].str(), "-", m[2].str()), m[3].str(), m[4].str(), page};
        if (m[1].str() != "BASE") page_prefixes.insert(m[1].str());
        spec.prefixes.insert(m[1].str());
      } else if (LooksLikeClause(line)) {
        close();
        spec.errors.push_back(StrCat(page, ":", number, ": malformed clause header (expected "
                                     "**ID** (LEVEL, ROLE)): ", line.substr(0, 60)));
      } else if (!line.empty() && line[0] == '#') {
        close();
      }
      if (open) body += line + "\n";
    }
    close();
    if (page_prefixes.size() > 1) {
      spec.errors.push_back(StrCat(page, ": clauses of several prefixes on one page"));
    }
  }
  return spec;
}

std::vector<std::string> DanglingReferences(const Spec& spec, const std::string& file,
                                            const std::string& text) {
  static const std::regex re(R"(\b([A-Z][A-Z0-9]*)-([0-9]+\.[0-9]+)\b)");
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    const std::string prefix = (*it)[1].str();
    const std::string id = StrCat(prefix, "-", (*it)[2].str());
    if (spec.prefixes.count(prefix) && !spec.index.count(id) && seen.insert(id).second) {
      out.push_back(StrCat(file, ": ", id));
    }
  }
  return out;
}

}  // namespace tfckpt::coverage
