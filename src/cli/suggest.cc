#include "src/cli/suggest.h"

#include <algorithm>
#include <cctype>

#include "src/io/status.h"

namespace tfckpt::cli {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::vector<std::string> Suggest(const std::string& word,
                                 const std::vector<std::string>& candidates, size_t max) {
  const std::string w = Lower(word);
  const size_t limit = std::max<size_t>(2, w.size() / 3);
  std::vector<std::pair<size_t, std::string>> scored;
  for (const std::string& c : candidates) {
    const std::string lc = Lower(c);
    if (lc == w && c != word) {
      scored.push_back({0, c});
      continue;
    }
    // Long names: compare lengths first, so a huge candidate list stays cheap.
    const size_t gap = lc.size() > w.size() ? lc.size() - w.size() : w.size() - lc.size();
    size_t d = gap <= limit ? EditDistance(w, lc) : limit + 1;
    if (d > limit && w.size() >= 3 &&
        (lc.find(w) != std::string::npos || w.find(lc) != std::string::npos)) {
      d = limit;  // a substring: as good as the worst close match
    }
    if (d <= limit) scored.push_back({d, c});
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < max; ++i) out.push_back(scored[i].second);
  return out;
}

std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates) {
  const std::vector<std::string> s = Suggest(word, candidates);
  if (s.empty()) return "";
  std::string out = " (did you mean ";
  for (size_t i = 0; i < s.size(); ++i) {
    out += StrCat(i == 0 ? "" : (i + 1 == s.size() ? " or " : ", "), "'", s[i], "'");
  }
  return out + "?)";
}

std::string ListNames(const std::vector<std::string>& names, size_t max) {
  std::string s;
  for (size_t i = 0; i < names.size() && i < max; ++i) s += StrCat(i > 0 ? ", " : "", names[i]);
  if (names.size() > max) s += StrCat(", ... (", names.size() - max, " more)");
  return s.empty() ? "(none)" : s;
}

}  // namespace tfckpt::cli
