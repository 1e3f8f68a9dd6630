// A MemEnv in which a tfckpt save replaces one single-shard checkpoint while
// the code under test looks at it: the interleavings of issue 16's races
// (a lookup between the save's renames), for tests of the readers of a
// checkpoint directory (path::Resolve, state::LatestCheckpoint).
//
//   SaveRaceEnv env("/d/ckpt", {0, 2, 4});   // prefix, schedule
//   env.Step();                               // the save is one step in
//   // a subclass overrides the lookup to race and calls Advance() first:
//   // the i-th lookup performs schedule[i] more steps of the save.
#ifndef TFCKPT_TESTING_SAVE_RACE_ENV_H_
#define TFCKPT_TESTING_SAVE_RACE_ENV_H_

#include <string>
#include <vector>

#include "src/io/mem_env.h"

namespace tfckpt::testing {

class SaveRaceEnv : public io::MemEnv {
 public:
  // Holds <prefix>.index and <prefix>.data-00000-of-00001 (the previous
  // checkpoint) when constructed.
  SaveRaceEnv(std::string prefix, std::vector<int> schedule);

  // The next of the save's six steps, in BUNDLE-2.6's order (cycling):
  // park the index, park the data file, write the data file, write the
  // index (the commit point), drop the parked data file, drop the parked
  // index.
  void Step();

 protected:
  // Called by an overridden lookup before it looks: performs the steps the
  // schedule gives this lookup.
  void Advance();

 private:
  const std::string index_, data_;
  const std::vector<int> schedule_;
  size_t call_ = 0;
  int step_ = 0;
};

// Every way of spreading at most `total` steps over `slots` lookups.
std::vector<std::vector<int>> Schedules(int slots, int total);

}  // namespace tfckpt::testing

#endif  // TFCKPT_TESTING_SAVE_RACE_ENV_H_
