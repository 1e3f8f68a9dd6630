#include "conformance/testee_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
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
                                                              const std::string& stderr_path) {
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
      if (w == pid_) { how = DescribeWaitStatus(status); break; }
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

StatusOr<nlohmann::json> TesteeProcess::Call(const nlohmann::json& request, int timeout_ms) {
  if (pid_ <= 0) return FailedPreconditionError("testee is not running");
  Status sent = WriteFrame(to_child_, request);
  auto response = sent.ok() ? ReadFrame(from_child_, timeout_ms)
                            : StatusOr<std::optional<nlohmann::json>>(sent);
  if (response.ok() && response->has_value()) return std::move(**response);
  // The testee is unusable now: a timeout or protocol error kills it; EOF
  // or a broken pipe means it died, and Reap says how.
  const bool died = response.ok() || !sent.ok() ||
                    response.status().code() == StatusCode::kDataLoss;
  const std::string how = Reap(/*kill_now=*/!died);
  if (died) return UnavailableError(StrCat("testee died (", how, ")"));
  if (response.status().code() == StatusCode::kDeadlineExceeded) {
    return Status(StatusCode::kDeadlineExceeded,
                  StrCat(response.status().message(), "; testee killed"));
  }
  return Status(response.status().code(),
                StrCat("protocol: ", response.status().message(), "; testee killed"));
}

}  // namespace tfckpt::conformance
