#include "src/testing/save_race_env.h"

#include <utility>

#include "gtest/gtest.h"

namespace tfckpt::testing {

SaveRaceEnv::SaveRaceEnv(std::string prefix, std::vector<int> schedule)
    : index_(prefix + ".index"),
      data_(prefix + ".data-00000-of-00001"),
      schedule_(std::move(schedule)) {
  PutFile(index_, "i0");
  PutFile(data_, "d0");
}

void SaveRaceEnv::Step() {
  Status s;
  switch (step_++ % 6) {
    case 0: s = RenameFile(index_, index_ + ".tfckpt-old"); break;
    case 1: s = RenameFile(data_, data_ + ".tfckpt-old"); break;
    case 2: PutFile(data_, "d"); break;
    case 3: PutFile(index_, "i"); break;  // the commit point
    case 4: s = DeleteFile(data_ + ".tfckpt-old"); break;
    case 5: s = DeleteFile(index_ + ".tfckpt-old"); break;
  }
  ASSERT_TRUE(s.ok()) << s.message();
}

void SaveRaceEnv::Advance() {
  for (int i = 0; call_ < schedule_.size() && i < schedule_[call_]; ++i) Step();
  ++call_;
}

namespace {

void Spread(int slots, int total, std::vector<int>* cur, std::vector<std::vector<int>>* out) {
  if (static_cast<int>(cur->size()) == slots) {
    out->push_back(*cur);
    return;
  }
  for (int n = 0; n <= total; ++n) {
    cur->push_back(n);
    Spread(slots, total - n, cur, out);
    cur->pop_back();
  }
}

}  // namespace

std::vector<std::vector<int>> Schedules(int slots, int total) {
  std::vector<std::vector<int>> out;
  std::vector<int> cur;
  Spread(slots, total, &cur, &out);
  return out;
}

}  // namespace tfckpt::testing
