// Test helpers over a validator Report, shared by the tests of check and of
// its consumers (golden/bad, conformance/oracle).
#ifndef TFCKPT_SRC_CHECK_REPORT_TEST_UTIL_H_
#define TFCKPT_SRC_CHECK_REPORT_TEST_UTIL_H_

#include <string>

#include "src/check/validator.h"
#include "src/io/status.h"

namespace tfckpt::check {

// One line per defect ("CODE file @offset key: message", offset and key
// where the defect has them), for failure messages and for comparing runs.
inline std::string Codes(const Report& r) {
  std::string out;
  for (const Defect& d : r.defects) {
    out += StrCat(DefectCodeName(d.code), " ", d.file, d.offset ? StrCat(" @", *d.offset) : "",
                  d.key.empty() ? "" : StrCat(" ", d.key), ": ", d.message, "\n");
  }
  return out;
}

// How many defects of the report have `code`.
inline int Count(const Report& r, DefectCode code) {
  int n = 0;
  for (const Defect& d : r.defects) n += d.code == code ? 1 : 0;
  return n;
}

// Whether the report holds at least one defect with `code`.
inline bool Has(const Report& r, DefectCode code) { return Count(r, code) > 0; }

}  // namespace tfckpt::check

#endif  // TFCKPT_SRC_CHECK_REPORT_TEST_UTIL_H_
