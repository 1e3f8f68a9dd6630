"""TensorFlow reads what tfckpt wrote: every case of <corpus>/expected.json
(written by //conformance/oracle:write_corpus) is read with the pinned TF
and compared exactly (dtype, shape, raw bytes / string bytes).

    PYTHONPATH=tools/oracle "$VENV/bin/python" conformance/oracle/tf_reads_tfckpt.py <corpus>

Per case:
  v2     the number of data files is what the case claims (write_corpus
         checked endianness and snappy blocks with the library); tf.train.load_checkpoint lists exactly the expected
         keys with their dtypes and shapes and get_tensor returns the exact
         bytes; tf.raw_ops.RestoreV2 of every key (whole) and of every
         "restores" region (shape_and_slice) returns the exact bytes.
  v1     the same through TF's V1 reader (load_checkpoint, RestoreV2's V1
         fallback, tf.raw_ops.Restore / RestoreSlice).
  state  tf.train.get_checkpoint_state / latest_checkpoint give the expected
         paths and timestamps; the latest checkpoint's tensors read back; and
         TF's own update_checkpoint_state_internal with the same arguments
         writes a byte-identical `checkpoint` file.

Where TF 2.21 *refuses* something tfckpt writes, the refusal is pinned in
KNOWN_TF_REFUSALS (case, key regex -> error regex) or in the case's own
"tf_refuses" list (exact check label -> error regex; the random cases): it
then counts as the expected outcome, and TF reading it after all is a
failure (behaviour change).

Prints one "@@" line per case (run.sh makes the table) and exits 1 on any
failure.
"""
import json
import os
import re
import sys

from tforacle.env import import_tf

import oracle_common as oc

tf = import_tf()
if tf.__version__.startswith("1."):
    # TF 1.x (conformance/oracle/versions.sh): the raw ops run eagerly.
    tf.enable_eager_execution()

from tforacle import checkpoint as ckpt_mod  # noqa: E402  (after TF import)

# What TF 2.21.0 refuses of what tfckpt writes: (case regex, check label
# regex, error regex, why). Check labels are "<how> <key>" or
# "<how> <key>[<shape_and_slice>]", how = get_tensor | RestoreV2 | Restore |
# RestoreSlice. Each is a TF limitation, not a defect of the file: TF's own
# writers produce the same layouts (see conformance/oracle/README.md).
KNOWN_TF_REFUSALS = [
    # BundleReader::GetSliceValue has no string case: a partitioned string
    # tensor, or any region of a string tensor, cannot be restored.
    (r".*", r"(get_tensor|RestoreV2) part/s(\[.*\])?", r"Dtype string not supported",
     "TF cannot restore slices of string tensors (GetSliceValue)"),
    (r".*", r"RestoreV2 string_special\[.+\]", r"Dtype string not supported",
     "TF cannot restore a region of a string tensor"),
    # ByteSwapTensor lists only the pre-2023 dtypes: a big-endian bundle
    # holding float8/int4/int2/float4 is refused even though they are bytes.
    (r"big_endian_extended", r"(get_tensor|RestoreV2) .*",
     r"Byte-swapping not supported for tensors with dtype (2[4-9]|3[0-3])",
     "TF's ByteSwapTensor does not know the one-byte float8/int4/int2/float4 dtypes"),
    # The Python CheckpointReader on a V1 file (TensorSliceReader::GetTensor)
    # handles only float/double/int32/uint8/int16/int8/int64/string/bool and
    # no partitioned tensors; Restore / RestoreV2 / RestoreSlice read them.
    (r"v1", r"get_tensor (complex64|complex128|half|qint8|quint8|qint32|uint16)_.*",
     r"UnimplementedError: Data type not supported",
     "TF's V1 CheckpointReader.get_tensor does not support this dtype"),
    (r"v1", r"get_tensor part/p", r"UnimplementedError: Sliced checkpoints are not supported",
     "TF's V1 CheckpointReader.get_tensor does not assemble partitioned tensors"),
]


def known_refusal(case, label):
    """(error regex, why) of the pinned refusal of this check, or None."""
    for case_re, label_re, err_re, why in KNOWN_TF_REFUSALS:
        if re.fullmatch(case_re, case) and re.fullmatch(label_re, label):
            return err_re, why
    return None


class Checker:
    def __init__(self, case):
        self.case = case["name"]
        # Per-case pins (the random cases): exact label -> (error regex, why).
        self.case_refusals = {r["label"]: (r["error"], r["why"])
                              for r in case.get("tf_refuses", [])}
        self.problems = []
        self.checks = 0
        self.refusals = []  # expected refusals observed

    def fail(self, what, detail):
        self.problems.append("%s: %s" % (what, detail))

    def outcome(self, label, fn, expected):
        """Runs fn() -> record and compares; applies KNOWN_TF_REFUSALS."""
        self.checks += 1
        refusal = self.case_refusals.get(label) or known_refusal(self.case, label)
        try:
            got = fn()
        except Exception as e:  # noqa: BLE001 -- every TF error is a result
            msg = "%s: %s" % (type(e).__name__, " ".join(str(e).split())[:300])
            if refusal and re.search(refusal[0], msg):
                self.refusals.append((label, refusal[1]))
                return
            self.fail(label, msg)
            return
        if refusal:
            self.fail(label,
                      "TF read it, but KNOWN_TF_REFUSALS expects /%s/ (TF behaviour changed?)"
                      % refusal[0])
            return
        d = oc.diff(got, expected)
        if d:
            self.fail(label, d)

    def report(self, extra=""):
        ok = not self.problems
        detail = "%d checks" % self.checks
        if extra:
            detail += ", " + extra
        if self.refusals:
            by_why = {}
            for label, why in self.refusals:
                by_why.setdefault(why, []).append(label)
            detail += "; pinned TF refusals: " + "; ".join(
                "%d x %s" % (len(labels), why) for why, labels in by_why.items())
            for label, why in self.refusals:
                print("    [pinned] %s: TF refuses %s: %s" % (self.case, label, why))
        if self.problems:
            detail += "; " + str(len(self.problems)) + " problem(s): " + " | ".join(self.problems[:6])
            for p in self.problems:
                print("    %s: %s" % (self.case, p))
        oc.result("tfckpt->tf", self.case, ok, detail)
        return ok


def restore_v2(prefix, key, spec, dtype_name):
    out = tf.raw_ops.RestoreV2(prefix=prefix, tensor_names=[key], shape_and_slices=[spec],
                               dtypes=[oc.tf_dtype(dtype_name)])
    return out[0].numpy()


def check_tensors(chk, prefix, case, v1):
    """CheckpointReader, RestoreV2 (whole) and region restores."""
    expected = {t["name"]: t for t in case["tensors"]}
    try:
        reader = tf.train.load_checkpoint(prefix)
        shapes = reader.get_variable_to_shape_map()
        dtypes = reader.get_variable_to_dtype_map()
    except Exception as e:  # noqa: BLE001
        chk.fail("load_checkpoint", "%s: %s" % (type(e).__name__, e))
        return
    chk.checks += 1
    if set(shapes) != set(expected):
        chk.fail("key set", "TF lists %s, expected %s" % (
            sorted(set(shapes) - set(expected)), sorted(set(expected) - set(shapes))))
    for name, rec in sorted(expected.items()):
        if name in shapes:
            chk.checks += 1
            meta = {"dtype": oc.dtype_name(dtypes[name]), "shape": [int(d) for d in shapes[name]]}
            if meta["dtype"] != rec["dtype"] or meta["shape"] != rec["shape"]:
                if not known_refusal(chk.case, "get_tensor " + name):
                    chk.fail("metadata " + name, "TF says %s, expected %s %s" % (
                        meta, rec["dtype"], rec["shape"]))
        chk.outcome("get_tensor " + name,
                    lambda n=name, r=rec: oc.record(n, r["dtype"], reader.get_tensor(n)), rec)
        chk.outcome("RestoreV2 " + name,
                    lambda n=name, r=rec: oc.record(n, r["dtype"],
                                                    restore_v2(prefix, n, "", r["dtype"])), rec)
        if v1:
            chk.outcome("Restore " + name,
                        lambda n=name, r=rec: oc.record(n, r["dtype"], tf.raw_ops.Restore(
                            file_pattern=prefix, tensor_name=n,
                            dt=oc.tf_dtype(r["dtype"])).numpy()), rec)
    for r in case.get("restores", []):
        key, spec, exp = r["key"], r["shape_and_slice"], r["expected"]
        label = "%s[%s]" % (key, spec)
        chk.outcome("RestoreV2 " + label,
                    lambda: oc.record(key, exp["dtype"], restore_v2(prefix, key, spec, exp["dtype"])),
                    exp)
        if v1 and spec:
            chk.outcome("RestoreSlice " + label,
                        lambda: oc.record(key, exp["dtype"], tf.raw_ops.RestoreSlice(
                            file_pattern=prefix, tensor_name=key, shape_and_slice=spec,
                            dt=oc.tf_dtype(exp["dtype"])).numpy()), exp)


def check_v2(root, case):
    chk = Checker(case)
    prefix = os.path.join(root, case["prefix"])
    extra = []
    # The bundle's layout (header endianness, snappy index blocks) was
    # measured by write_corpus with the library; here only what a file
    # listing shows: the number of data files.
    chk.checks += 1
    files = ckpt_mod.v2_data_files(prefix)
    if len(files) != case["num_shards"]:
        chk.fail("data files", "%d present, expected %d" % (len(files), case["num_shards"]))
    if case["index_snappy"]:
        extra.append("index blocks snappy")
    if case["endianness"] == "BIG":
        extra.append("header endianness BIG")
    check_tensors(chk, prefix, case, v1=False)
    return chk.report(", ".join(extra))


def check_v1(root, case):
    chk = Checker(case)
    prefix = os.path.join(root, case["prefix"])
    try:
        chk.checks += 1
        if ckpt_mod.checkpoint_format(prefix) != "V1":
            chk.fail("format", "not a V1 checkpoint")
    except OSError as e:
        chk.fail("format", e)
    check_tensors(chk, prefix, case, v1=True)
    refused = [r["dtype"] for r in case.get("v1_refused", [])]
    return chk.report("tfckpt's V1 writer refused %s" % ",".join(refused) if refused else "")


def check_state(root, case):
    try:
        from tensorflow.python.checkpoint import checkpoint_management as cm
    except ImportError:  # TF 1.x
        from tensorflow.python.training import checkpoint_management as cm
    chk = Checker(case)
    d = os.path.join(root, case["dir"])
    exp = case["expect"]
    try:
        st = tf.train.get_checkpoint_state(d)
        chk.checks += 1
        if st is None:
            chk.fail("get_checkpoint_state", "None")
        else:
            got = {
                "model_checkpoint_path": st.model_checkpoint_path,
                "all_model_checkpoint_paths": list(st.all_model_checkpoint_paths),
                "all_model_checkpoint_timestamps": list(st.all_model_checkpoint_timestamps),
                "last_preserved_timestamp": st.last_preserved_timestamp,
            }
            for k, v in got.items():
                chk.checks += 1
                if v != exp[k]:
                    chk.fail("get_checkpoint_state." + k, "got %r, expected %r" % (v, exp[k]))
        latest = tf.train.latest_checkpoint(d)
        chk.checks += 1
        if latest != exp["latest_checkpoint"]:
            chk.fail("latest_checkpoint", "got %r, expected %r" % (latest, exp["latest_checkpoint"]))
        # TF writes the same state with the same arguments: identical bytes.
        u = case["update"]
        cm.update_checkpoint_state_internal(
            save_dir=u["save_dir"], model_checkpoint_path=u["model_checkpoint_path"],
            all_model_checkpoint_paths=u["all_model_checkpoint_paths"],
            latest_filename="checkpoint.tf_wrote",
            save_relative_paths=case["save_relative_paths"],
            all_model_checkpoint_timestamps=u["all_model_checkpoint_timestamps"],
            last_preserved_timestamp=u["last_preserved_timestamp"])
        with open(os.path.join(d, "checkpoint"), "rb") as f:
            ours = f.read()
        with open(os.path.join(d, "checkpoint.tf_wrote"), "rb") as f:
            theirs = f.read()
        chk.checks += 1
        if ours != theirs:
            chk.fail("state file bytes", "tfckpt %r != TF %r" % (ours, theirs))
    except Exception as e:  # noqa: BLE001
        chk.fail("state", "%s: %s" % (type(e).__name__, e))
    check_tensors(chk, os.path.join(root, case["prefix"]), case, v1=False)
    return chk.report("checkpoint file identical to TF's" if not chk.problems else "")


def main(argv):
    if len(argv) != 2:
        print("usage: tf_reads_tfckpt.py <corpus_dir>", file=sys.stderr)
        return 2
    root = os.path.realpath(argv[1])
    with open(os.path.join(root, "expected.json")) as f:
        doc = json.load(f)
    failed = 0
    for case in doc["cases"]:
        fn = {"v2": check_v2, "v1": check_v1, "state": check_state}[case["kind"]]
        try:
            ok = fn(root, case)
        except Exception as e:  # noqa: BLE001 -- one broken case must not hide the others
            oc.result("tfckpt->tf", case["name"], False, "checker crashed: %s: %s" % (
                type(e).__name__, e))
            ok = False
        failed += not ok
    print("tf_reads_tfckpt: %d cases, %d failed" % (len(doc["cases"]), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
