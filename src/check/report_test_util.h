// Test helpers over a validator Report, shared by the validator's tests.
#ifndef TFCKPT_SRC_CHECK_REPORT_TEST_UTIL_H_
#define TFCKPT_SRC_CHECK_REPORT_TEST_UTIL_H_

#include <string>

#include "src/check/validator.h"
#include "src/io/status.h"

namespace tfckpt::check {

// One line per defect ("CODE file key: message"), for failure messages.
inline std::string Codes(const Report& r) {
  std::string out;
  for (const Defect& d : r.defects) {
    out += StrCat(DefectCodeName(d.code), " ", d.file, " ", d.key, ": ", d.message, "\n");
  }
  return out;
}

// Whether the report holds at least one defect with `code`.
inline bool Has(const Report& r, DefectCode code) {
  for (const Defect& d : r.defects) {
    if (d.code == code) return true;
  }
  return false;
}

}  // namespace tfckpt::check

#endif  // TFCKPT_SRC_CHECK_REPORT_TEST_UTIL_H_
