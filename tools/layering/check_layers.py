#!/usr/bin/env python3
"""Checks the BUILD graph against the layering table of docs/ARCHITECTURE.md.

usage: check_layers.py ARCHITECTURE.md EDGES KINDS TESTONLY
  EDGES     bazel query --output=graph --nograph:factored of the roots' deps
  KINDS     bazel query --output=label_kind of the same closure
  TESTONLY  the testonly targets of the closure, one label a line

The table (between the "layering table" markers) has one row per layer:
| layer | tier | Bazel packages | may use |. For every dependency edge A -> B
between rules of this repository:
  1. every package in the graph belongs to a layer of the table;
  2. a library (not a cc_binary) of a "lib" layer depends only on its own
     layer or the layers its row lists;
  3. nothing that is not test code (a test-tier layer, or testonly) depends
     on test code: what ships never links test helpers or the oracle.
Prints every violation with the edge and exits 1 if there is any.
"""
import re
import sys

BEGIN = "<!-- layering table: checked by //tools/layering:layering_test -->"
END = "<!-- end of layering table -->"


def read_table(path):
    text = open(path, encoding="utf-8").read()
    if BEGIN not in text or END not in text:
        sys.exit(f"{path}: no layering table (markers {BEGIN!r} ... {END!r})")
    rows = text.split(BEGIN, 1)[1].split(END, 1)[0].strip().splitlines()
    layers, package_layer = {}, {}
    for row in rows[2:]:  # header and --- line
        cells = [c.strip().strip("`") for c in row.strip().strip("|").split("|")]
        if len(cells) != 4:
            sys.exit(f"{path}: layering row needs 4 cells: {row}")
        name, tier, packages, uses = cells
        if tier not in ("lib", "test", "top"):
            sys.exit(f"{path}: layer {name}: tier must be lib, test or top, not {tier!r}")
        allowed = set() if uses in ("", "—", "-") else {u.strip().strip("`") for u in uses.split(",")}
        layers[name] = (tier, allowed)
        for p in packages.split(","):
            package_layer[p.strip().strip("`")] = name
    for name, (_, allowed) in layers.items():
        for u in allowed:
            if u not in layers and u != "*":
                sys.exit(f"{path}: layer {name} may use {u!r}, which is no layer")
    return layers, package_layer


def package_of(label):
    return label.split(":", 1)[0] if ":" in label else label


def main(argv):
    table, edges_path, kinds_path, testonly_path = argv[1:5]
    layers, package_layer = read_table(table)
    kinds = {}
    for line in open(kinds_path):
        m = re.match(r"(\S+) rule (\S+)$", line.strip())
        if m:
            kinds[m.group(2)] = m.group(1)
    testonly = {l.strip() for l in open(testonly_path) if l.strip()}
    edges = re.findall(r'^\s*"([^"]+)" -> "([^"]+)"', open(edges_path).read(), re.M)
    if not edges:
        sys.exit(f"{edges_path}: no edges (is it --output=graph --nograph:factored?)")

    errors = []
    unknown = set()

    def layer_of(label):
        p = package_of(label)
        if p not in package_layer:
            unknown.add(p)
            return None
        return package_layer[p]

    def is_test_code(label, layer):
        return label in testonly or layers[layer][0] == "test"

    checked = 0
    for a, b in edges:
        if not a.startswith("//") or not b.startswith("//"):
            continue  # external repositories and the toolchain
        if a not in kinds or b not in kinds:
            continue  # source files and other non-rule targets
        la, lb = layer_of(a), layer_of(b)
        if la is None or lb is None:
            continue
        checked += 1
        tier_a, allowed = layers[la]
        if is_test_code(b, lb) and not is_test_code(a, la):
            errors.append(f"{a} -> {b}: {la} code links test code ({lb})")
        if kinds[a] == "cc_binary" or tier_a != "lib" or is_test_code(a, la):
            continue
        if lb != la and lb not in allowed and "*" not in allowed:
            errors.append(f"{a} -> {b}: layer {la} may not use {lb} "
                          f"(docs/ARCHITECTURE.md allows: {', '.join(sorted(allowed)) or 'nothing'})")
    for p in sorted(unknown):
        errors.append(f"package {p} has no layer in docs/ARCHITECTURE.md's layering table")
    for e in errors:
        print("FAIL:", e)
    print(f"layering: {checked} edges between {len(kinds)} rules checked, {len(errors)} violations")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
