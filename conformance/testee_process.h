// A testee program (protocol.h) running as a child process of the runner,
// under resource limits. One request at a time; after any failed Call the
// process is unusable and the runner starts a new one, so one crash costs
// one test case.
#ifndef TFCKPT_CONFORMANCE_TESTEE_PROCESS_H_
#define TFCKPT_CONFORMANCE_TESTEE_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "src/io/status.h"

namespace tfckpt::conformance {

// Limits on the testee; 0 means none. Exceeding one fails the case at hand
// and the error names the limit by its `tfckpt conform` flag.
struct TesteeLimits {
  int64_t max_memory_mb = 4096;  // address space (RLIMIT_AS), whole process
  int max_cpu_seconds = 120;     // CPU time per request (RLIMIT_CPU, moved up per call)
  int64_t max_response_mb = 64;  // size of one response frame
};

class TesteeProcess {
 public:
  // Runs argv (argv[0] searched in PATH) with stdin/stdout as the protocol
  // pipes and stderr appended to `stderr_path`, under `limits`. SIGPIPE is
  // ignored in the calling process from then on, so a dead testee is an
  // error, not a signal. Errors: argv empty, pipe/fork failure, or the
  // program could not be executed (reported by the child before exiting 127).
  static StatusOr<std::unique_ptr<TesteeProcess>> Start(const std::vector<std::string>& argv,
                                                        const std::string& stderr_path,
                                                        const TesteeLimits& limits = {});
  // Closes the testee's stdin and waits for it (SIGKILL after 5 s).
  ~TesteeProcess();

  // Sends one request and returns the response frame. On any failure the
  // testee is killed and the Status says what happened: "testee died
  // (killed by signal 6)" / "(exit status 3)", "no response within 60 s",
  // "exceeded --max-cpu-seconds 120", "exceeded --max-response-mb 64",
  // or the frame's protocol error. A death while the address space was
  // near --max-memory-mb says so.
  StatusOr<nlohmann::json> Call(const nlohmann::json& request, int timeout_ms);

 private:
  TesteeProcess() = default;
  // Kills (if needed) and reaps the child; returns how it ended.
  std::string Reap(bool kill_now);
  // Lets the child use max_cpu_seconds more CPU from now on.
  void ExtendCpuLimit();
  // The child's peak address space in MiB (/proc VmPeak), or -1.
  int64_t PeakMb() const;

  pid_t pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  TesteeLimits limits_;
  int term_signal_ = 0;  // how the child ended, once reaped
};

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_TESTEE_PROCESS_H_
