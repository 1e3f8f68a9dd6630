"""Compares one TensorFlow version's oracle results ("@@" lines of
tf_reads_tfckpt.py / tf_reads_goldens.py) with its expected failures.

    python3 versions_expect.py LABEL EXPECTED.txt RESULTS.log

EXPECTED.txt: one expected failure a line, "CASE_REGEX<TAB>DETAIL_REGEX  # why"
(both Python regexes, fullmatch on the case, search in the detail). A FAIL
matching a line is expected; any other FAIL, an expected line no FAIL
matches (the version now reads it: stale list), or no result at all fails.
Standard library only.
"""
import re
import sys


def load_expected(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            body = line.split("  #", 1)[0].rstrip("\n")
            if not body.strip() or body.lstrip().startswith("#"):
                continue
            case, _, detail = body.partition("\t")
            why = line.split("  #", 1)[1].strip() if "  #" in line else ""
            if not why:
                raise SystemExit("%s:%d: an expected failure needs '  # why'" % (path, n))
            out.append((re.compile(case.strip()), re.compile(detail.strip()), why, n))
    return out


def main():
    label, expected_path, results_path = sys.argv[1:4]
    expected = load_expected(expected_path)
    used = set()
    passed = failed = 0
    problems = []
    with open(results_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.startswith("@@\t"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 5:
                continue
            _, tier, case, verdict, detail = parts[:5]
            if verdict == "PASS":
                passed += 1
                continue
            failed += 1
            hit = next((e for e in expected if e[0].fullmatch(case) and e[1].search(detail)), None)
            if hit:
                used.add(hit[3])
            else:
                problems.append("unexpected failure %s %s: %s" % (tier, case, detail[:300]))
    for case_re, detail_re, why, n in expected:
        if n not in used:
            problems.append("expected failure no longer seen (line %d: %s; %s)" % (
                n, case_re.pattern, why))
    if passed + failed == 0:
        problems.append("no results (see the log)")
    for p in problems:
        print("  FAIL: %s: %s" % (label, p))
    print("versions: %s: %d passed, %d failed as expected, %d problem(s)" % (
        label, passed, failed - sum(1 for p in problems if p.startswith("unexpected")),
        len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
