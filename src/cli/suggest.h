// "Did you mean" for names a user mistypes: subcommands, tensor names,
// signature keys, tags.
#ifndef TFCKPT_CLI_SUGGEST_H_
#define TFCKPT_CLI_SUGGEST_H_

#include <string>
#include <vector>

namespace tfckpt::cli {

// Up to `max` candidates closest to `word`, best first: those within an edit
// distance (Levenshtein, case-insensitive) of max(2, |word| / 3), and those
// containing `word` or contained in it (case-insensitive, |word| >= 3).
std::vector<std::string> Suggest(const std::string& word,
                                 const std::vector<std::string>& candidates, size_t max = 3);

// " (did you mean 'a' or 'b'?)" for Suggest's answer, "" when it is empty.
std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates);

// "a, b, c" (the first `max`, then ", ... (N more)").
std::string ListNames(const std::vector<std::string>& names, size_t max = 20);

}  // namespace tfckpt::cli

#endif  // TFCKPT_CLI_SUGGEST_H_
