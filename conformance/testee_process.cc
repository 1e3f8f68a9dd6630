#include "conformance/testee_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "conformance/protocol.h"

namespace tfckpt::conformance {

namespace {

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return StrCat("exit status ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return StrCat("killed by signal ", WTERMSIG(status), " (", strsignal(WTERMSIG(status)), ")");
  }
  return "stopped";
}

}  // namespace

StatusOr<std::unique_ptr<TesteeProcess>> TesteeProcess::Start(const std::vector<std::string>& argv,
                                                              const std::string& stderr_path,
                                                              const TesteeLimits& limits) {
  if (argv.empty()) return InvalidArgumentError("no testee command given");
  ::signal(SIGPIPE, SIG_IGN);
  int in[2], out[2], status_pipe[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 ||
      ::pipe2(status_pipe, O_CLOEXEC) != 0) {
    return UnavailableError(StrCat("pipe: ", std::strerror(errno)));
  }
  const int err_fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (err_fd < 0) {
    return UnavailableError(StrCat(stderr_path, ": cannot open for the testee's stderr: ",
                                   std::strerror(errno)));
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) return UnavailableError(StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err_fd, 2);
    ::signal(SIGPIPE, SIG_DFL);
    if (limits.max_memory_mb > 0) {
      const rlim_t bytes = static_cast<rlim_t>(limits.max_memory_mb) << 20;
      const rlimit as{bytes, bytes};
      ::setrlimit(RLIMIT_AS, &as);
    }
    ::execvp(args[0], args.data());
    const int e = errno;  // tell the parent why exec failed, then go
    (void)!::write(status_pipe[1], &e, sizeof(e));
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err_fd);
  ::close(status_pipe[1]);
  int exec_errno = 0;
  const ssize_t r = ::read(status_pipe[0], &exec_errno, sizeof(exec_errno));
  ::close(status_pipe[0]);
  std::unique_ptr<TesteeProcess> p(new TesteeProcess());
  p->pid_ = pid;
  p->to_child_ = in[1];
  p->from_child_ = out[0];
  p->limits_ = limits;
  if (r == static_cast<ssize_t>(sizeof(exec_errno))) {
    p->Reap(/*kill_now=*/true);
    return NotFoundError(StrCat("cannot run testee \"", argv[0], "\": ", std::strerror(exec_errno)));
  }
  return p;
}

TesteeProcess::~TesteeProcess() { Reap(/*kill_now=*/false); }

std::string TesteeProcess::Reap(bool kill_now) {
  if (to_child_ >= 0) ::close(to_child_);
  to_child_ = -1;
  std::string how;
  if (pid_ > 0) {
    if (kill_now) ::kill(pid_, SIGKILL);
    int status = 0;
    // Up to 5 s for a clean exit after EOF, then SIGKILL.
    for (int i = 0; i < 500; ++i) {
      const pid_t w = ::waitpid(pid_, &status, WNOHANG);
      if (w == pid_) {
        how = DescribeWaitStatus(status);
        if (WIFSIGNALED(status)) term_signal_ = WTERMSIG(status);
        break;
      }
      if (w < 0) { how = "already reaped"; break; }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (how.empty()) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      how = "killed after not exiting within 5 s of EOF";
    }
    pid_ = -1;
  }
  if (from_child_ >= 0) ::close(from_child_);
  from_child_ = -1;
  return how;
}

void TesteeProcess::ExtendCpuLimit() {
  if (limits_.max_cpu_seconds <= 0) return;
  std::ifstream stat(StrCat("/proc/", pid_, "/stat"));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos) return;
  // After "pid (comm)": state is field 3, utime 14, stime 15.
  std::istringstream fields(text.substr(paren + 1));
  std::string f;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stoull(f);
    if (i == 15) stime = std::stoull(f);
  }
  const long ticks = ::sysconf(_SC_CLK_TCK);
  const rlim_t used = static_cast<rlim_t>((utime + stime) / (ticks > 0 ? ticks : 100));
  rlimit old{};
  if (::prlimit(pid_, RLIMIT_CPU, nullptr, &old) != 0) return;
  const rlimit cpu{used + 1 + static_cast<rlim_t>(limits_.max_cpu_seconds), old.rlim_max};
  ::prlimit(pid_, RLIMIT_CPU, &cpu, nullptr);
}

int64_t TesteeProcess::PeakMb() const {
  std::ifstream status(StrCat("/proc/", pid_, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmPeak:", 0) == 0) return std::stoll(line.substr(7)) >> 10;  // kB
  }
  return -1;
}

StatusOr<nlohmann::json> TesteeProcess::Call(const nlohmann::json& request, int timeout_ms) {
  if (pid_ <= 0) return FailedPreconditionError("testee is not running");
  ExtendCpuLimit();
  Status sent = WriteFrame(to_child_, request);
  StatusOr<std::optional<nlohmann::json>> response = sent;
  int64_t peak_mb = -1;
  if (sent.ok()) {
    // Wait in slices, sampling the address space, until the answer starts.
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    for (;;) {
      peak_mb = std::max(peak_mb, PeakMb());
      const int elapsed = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
      const int left = timeout_ms < 0 ? -1 : std::max(0, timeout_ms - elapsed);
      pollfd pfd{from_child_, POLLIN, 0};
      const int r = ::poll(&pfd, 1, left < 0 ? 200 : std::min(left, 200));
      if (r < 0 && errno == EINTR) continue;
      if (r != 0) {  // readable, hung up, or poll failed: ReadFrame says which
        const uint64_t max_bytes = limits_.max_response_mb > 0
                                       ? std::min<uint64_t>(uint64_t(limits_.max_response_mb) << 20,
                                                            kMaxFrameBytes)
                                       : kMaxFrameBytes;
        response = ReadFrame(from_child_, left, static_cast<uint32_t>(max_bytes));
        break;
      }
      if (left == 0) {
        response = Status(StatusCode::kDeadlineExceeded,
                          StrCat("no response within ", timeout_ms / 1000.0, " s"));
        break;
      }
    }
  }
  if (response.ok() && response->has_value()) return std::move(**response);
  // The testee is unusable now: a timeout or protocol error kills it; EOF
  // or a broken pipe means it died, and Reap says how.
  const bool died = response.ok() || !sent.ok() ||
                    response.status().code() == StatusCode::kDataLoss;
  const std::string how = Reap(/*kill_now=*/!died);
  if (died) {
    std::string why = StrCat("testee died (", how, ")");
    if (term_signal_ == SIGXCPU) {
      why = StrCat("exceeded --max-cpu-seconds ", limits_.max_cpu_seconds, " (CPU time); ", why);
    } else if (limits_.max_memory_mb > 0 && peak_mb * 4 >= limits_.max_memory_mb * 3) {
      why = StrCat(why, "; its address space had reached ", peak_mb, " MiB of --max-memory-mb ",
                   limits_.max_memory_mb);
    }
    return UnavailableError(why);
  }
  if (response.status().code() == StatusCode::kDeadlineExceeded) {
    return Status(StatusCode::kDeadlineExceeded,
                  StrCat(response.status().message(), "; testee killed"));
  }
  if (response.status().code() == StatusCode::kResourceExhausted) {
    return Status(StatusCode::kResourceExhausted,
                  StrCat("exceeded --max-response-mb ", limits_.max_response_mb, ": ",
                         response.status().message(), "; testee killed"));
  }
  return Status(response.status().code(),
                StrCat("protocol: ", response.status().message(), "; testee killed"));
}

}  // namespace tfckpt::conformance
