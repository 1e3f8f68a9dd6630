// The hostile corpus (hostile_corpus.h) through `validate`'s own path
// (check::Validate on real files through Env::Pread), each case in a child
// process with a time and a memory limit. Runs in CI under ASan + UBSan
// (tools/test.sh, --config=asan): zero crashes (a sanitizer report is one),
// zero hangs, zero cases over the memory limit, and zero OK verdicts on a
// mutant of a checksummed region or a truncated file.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "gtest/gtest.h"
#include "src/check/hostile_corpus.h"
#include "src/check/validator.h"
#include "src/io/env.h"

namespace tfckpt::check {
namespace {

namespace fs = std::filesystem;

// Per case. Generous for ASan's slowdown; a clean case takes milliseconds.
constexpr int kSecondsPerCase = 20;
constexpr long kMaxRssKiB = 512 << 10;  // 512 MiB, ASan's shadow included

enum class Outcome { kOk, kInvalid, kCrash, kHang, kOverMemory };

struct Result {
  Outcome outcome;
  std::string detail;
  double seconds = 0;
  long rss_kib = 0;
};

void WriteCase(const HostileCase& c, const fs::path& dir) {
  fs::create_directories(dir);
  for (const auto& [name, bytes] : c.files) {
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
}

// Validates in a child: it writes 'O' (OK) or 'I' (invalid) to a pipe and
// exits 0; anything else is a crash. Killed after kSecondsPerCase.
Result RunCase(const std::string& path) {
  int fds[2];
  if (::pipe(fds) != 0) return {Outcome::kCrash, "pipe failed"};
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    ::alarm(kSecondsPerCase);
    const Report r = Validate(io::Env::Pread(), path);
    const char verdict = r.ok() ? 'O' : 'I';
    if (::write(fds[1], &verdict, 1) != 1) ::_exit(3);
    ::_exit(0);
  }
  ::close(fds[1]);
  int status = 0;
  struct rusage usage {};
  ::wait4(pid, &status, 0, &usage);
  char verdict = 0;
  const bool got = ::read(fds[0], &verdict, 1) == 1;
  ::close(fds[0]);
  Result res{Outcome::kCrash, ""};
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  res.rss_kib = usage.ru_maxrss;
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
    res.outcome = Outcome::kHang;
    res.detail = StrCat("no verdict after ", kSecondsPerCase, " s");
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !got) {
    res.detail = WIFSIGNALED(status) ? StrCat("signal ", WTERMSIG(status))
                                     : StrCat("exit status ", WEXITSTATUS(status));
  } else if (res.rss_kib > kMaxRssKiB) {
    res.outcome = Outcome::kOverMemory;
    res.detail = StrCat(res.rss_kib, " KiB resident");
  } else {
    res.outcome = verdict == 'O' ? Outcome::kOk : Outcome::kInvalid;
  }
  return res;
}

TEST(HostileCorpus, NoCrashNoHangNoOkOnChecksummedMutants) {
  const std::vector<HostileCase> corpus = HostileCorpus();
  ASSERT_GE(corpus.size(), 300u);
  const char* tmp = std::getenv("TEST_TMPDIR");
  const fs::path root = fs::path(tmp != nullptr ? tmp : "/tmp") / "hostile";
  std::map<std::string, std::map<std::string, int>> by_region;  // region -> outcome -> n
  int checksummed = 0;
  double max_seconds = 0;
  long max_rss = 0;
  std::set<std::string> names;
  for (const HostileCase& c : corpus) {
    ASSERT_TRUE(names.insert(c.name).second) << "duplicate case " << c.name;
    const fs::path dir = root / c.name;
    WriteCase(c, dir);
    const Result r = RunCase((dir / c.validate).string());
    fs::remove_all(dir);
    max_seconds = std::max(max_seconds, r.seconds);
    max_rss = std::max(max_rss, r.rss_kib);
    checksummed += c.checksummed ? 1 : 0;
    static const char* const kNames[] = {"ok", "invalid", "crash", "hang", "over_memory"};
    ++by_region[c.region][kNames[static_cast<int>(r.outcome)]];
    EXPECT_TRUE(r.outcome == Outcome::kOk || r.outcome == Outcome::kInvalid)
        << c.name << ": " << kNames[static_cast<int>(r.outcome)] << " (" << r.detail << ")";
    if (c.checksummed) {
      EXPECT_NE(r.outcome, Outcome::kOk) << c.name << ": a checksummed region changed, yet OK";
    }
  }
  std::cout << corpus.size() << " hostile cases (" << checksummed
            << " of checksummed regions or truncations); slowest " << max_seconds
            << " s, largest resident " << max_rss / 1024 << " MiB\n";
  for (const auto& [region, outcomes] : by_region) {
    std::cout << "  " << region << ":";
    for (const auto& [o, n] : outcomes) std::cout << " " << o << "=" << n;
    std::cout << "\n";
  }
  RecordProperty("cases", static_cast<int>(corpus.size()));
}

}  // namespace
}  // namespace tfckpt::check
