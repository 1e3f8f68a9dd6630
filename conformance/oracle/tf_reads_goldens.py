"""TensorFlow re-reads every checkpoint of golden/MANIFEST.json.

    python tf_reads_goldens.py GOLDEN_DIR [--only-tfckpt]

For each checkpoint the MANIFEST lists, TF reads it again exactly as the
generator did (tforacle.checkpoint.describe_checkpoint: NewCheckpointReader,
RestoreV2 where that reader refuses a V1 tensor) and the result must equal the
MANIFEST: every tensor's name, dtype, shape, size and sha256 (or the same
refusal), and the files holding them.  That is how the tfckpt-written goldens
("written_by": "tfckpt": snappy index, big-endian, aligned) stay "read
identically by TensorFlow"; the TF-written ones are re-read too (a TF upgrade
that reads its own files differently shows here).

Prints "@@<TAB>golden->tf<TAB><scenario>/<prefix><TAB>PASS|FAIL<TAB>detail"
for each tfckpt-written checkpoint and each failure, one summary row for the
passing TF-written ones (conformance/oracle/run.sh collects them); exit 1 on
any failure.
"""
import json
import os
import sys

from tforacle import checkpoint as ckpt
from tforacle.env import import_tf

TENSOR_FIELDS = ("name", "dtype", "shape", "num_elements", "raw_size", "raw_sha256",
                 "read_error", "read_via")


def _tensor_view(t):
    return {k: t[k] for k in TENSOR_FIELDS if k in t}


def check(base, c):
    """'' if TF reads checkpoint c (a MANIFEST record) as recorded, else why not."""
    fresh = ckpt.describe_checkpoint(os.path.join(base, c["prefix"]), root=base)
    want = {t["name"]: _tensor_view(t) for t in c["tensors"]}
    got = {t["name"]: _tensor_view(t) for t in fresh["tensors"]}
    if set(want) != set(got):
        return "keys differ: missing %s, extra %s" % (sorted(set(want) - set(got))[:5],
                                                       sorted(set(got) - set(want))[:5])
    for name in sorted(want):
        if want[name] != got[name]:
            return "tensor %r: TF now reads %s, MANIFEST %s" % (name[:80], got[name], want[name])
    for files in ("data_files", "files"):
        if fresh.get(files) != c.get(files):
            return "%s %s, MANIFEST %s" % (files, fresh.get(files), c.get(files))
    return ""


def main(argv):
    if len(argv) not in (1, 2) or (len(argv) == 2 and argv[1] != "--only-tfckpt"):
        sys.stderr.write(__doc__)
        return 2
    import_tf()
    golden = argv[0]
    with open(os.path.join(golden, "MANIFEST.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    failed = checked = tf_written = 0
    for sc in manifest["scenarios"]:
        base = os.path.join(golden, manifest["golden_dir"], sc["dir"])
        for c in sc.get("checkpoints", []):
            written_by = c.get("written_by", "tensorflow")
            if len(argv) == 2 and written_by != "tfckpt":
                continue
            try:
                why = check(base, c)
            except Exception as e:  # noqa: BLE001 -- TF refusing the whole file
                why = "%s: %s" % (type(e).__name__, str(e).splitlines()[0][:200])
            checked += 1
            name = "%s/%s" % (sc["name"], c["prefix"])
            if why or written_by != "tensorflow":
                detail = why or "%d tensors as recorded (%s)" % (len(c["tensors"]), c["writer"])
                print("@@\tgolden->tf\t%s\t%s\t%s" % (name, "FAIL" if why else "PASS", detail))
            else:
                tf_written += 1
            failed += bool(why)
    if tf_written:  # one row for all of them; a failing one has its own row
        print("@@\tgolden->tf\tTF-written goldens\tPASS\t%d checkpoints as recorded" % tf_written)
    print("tf_reads_goldens: %d checkpoints, %d failed" % (checked, failed))
    return 1 if failed or not checked else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
