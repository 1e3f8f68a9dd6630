// A testee program (protocol.h) running as a child process of the runner.
// One request at a time; after any failed Call the process is unusable and
// the runner starts a new one, so one crash costs one test case.
#ifndef TFCKPT_CONFORMANCE_TESTEE_PROCESS_H_
#define TFCKPT_CONFORMANCE_TESTEE_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "src/io/status.h"

namespace tfckpt::conformance {

class TesteeProcess {
 public:
  // Runs argv (argv[0] searched in PATH) with stdin/stdout as the protocol
  // pipes and stderr appended to `stderr_path`. SIGPIPE is ignored in the
  // calling process from then on, so a dead testee is an error, not a
  // signal. Errors: argv empty, pipe/fork failure, or the program could
  // not be executed (reported by the child before exiting 127).
  static StatusOr<std::unique_ptr<TesteeProcess>> Start(const std::vector<std::string>& argv,
                                                        const std::string& stderr_path);
  // Closes the testee's stdin and waits for it (SIGKILL after 5 s).
  ~TesteeProcess();

  // Sends one request and returns the response frame. On any failure the
  // testee is killed and the Status says what happened: "testee died
  // (killed by signal 6)" / "(exit status 3)", "no response within 60 s",
  // or the frame's protocol error.
  StatusOr<nlohmann::json> Call(const nlohmann::json& request, int timeout_ms);

 private:
  TesteeProcess() = default;
  // Kills (if needed) and reaps the child; returns how it ended.
  std::string Reap(bool kill_now);

  pid_t pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
};

}  // namespace tfckpt::conformance

#endif  // TFCKPT_CONFORMANCE_TESTEE_PROCESS_H_
