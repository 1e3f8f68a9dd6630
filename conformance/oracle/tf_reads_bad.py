"""What TensorFlow does with the bad corpus (golden/bad/): for each case,
tf.train.load_checkpoint + get_tensor of every key (V1/V2), or
tf.train.get_checkpoint_state + latest_checkpoint (state directories), in
worker processes that are restarted when TF kills one (CHECK failure,
segfault). The outcome of every case -- "reject" (a Python exception),
"accept" (no error at all) or "crash" (the process dies) -- is pinned in
TF_OUTCOME; any difference fails.

    PYTHONPATH=tools/oracle "$VENV/bin/python" conformance/oracle/tf_reads_bad.py golden/bad

This documents where `tfckpt validate` is stricter than TF 2.21 (it reports
every case) and which hostile files crash TF's own reader. Prints one "@@"
result line for run.sh and per-case lines.
"""
import json
import os
import subprocess
import sys
import threading

# TF 2.21.0's reaction to each golden/bad case through the Python API.
CRASH = {
    # CheckpointReader::BuildV2VarMaps builds TensorShape with CHECKs
    # (tensor_shape.cc) and CHECKs that entries parse: CVE-2021-41203-class
    # input aborts the process before any Python exception.
    "negative_dim", "huge_shape", "entry_not_a_proto",
    # CheckpointReader::GetTensor: "Unexpected type" CHECK in tensor.cc.
    "unknown_dtype", "reference_dtype",
    # A string element claiming 2^40 bytes (checksums valid): SIGSEGV.
    "string_huge_length",
}
ACCEPT = {
    # TF never looks for data files of other saves, nor for shards past
    # num_shards.
    "mixed_shards", "stray_shard",
    # Warnings only (the checkpoint is intact): bytes no entry covers, the
    # temp index of a killed save, parked files of an interrupted tfckpt save.
    "data_unreferenced_bytes", "stale_temp_file", "interrupted_save",
    # No "" record: TF parses the first entry (v1's BundleEntryProto) as the
    # header, and v1 silently disappears from the checkpoint.
    "header_missing",
    # get_checkpoint_state returns the stale paths (or None for the
    # unparseable file, with a log line); latest_checkpoint returns None.
    "stale_absolute_paths", "stale_relative_path", "state_file_garbage",
    # SavedModel directories (bad saved_model.pb, a key the Saver restores
    # missing from variables/): no state file, so get_checkpoint_state gives
    # None; this harness does not run TF's SavedModel loader.
    "saved_model_garbage", "saved_model_variable_missing",
    # The model-level cases: TF's loaders' reactions are pinned by
    # tf_loads_bad_models.py.
    "saved_model_no_variables", "saved_model_pbtxt_garbage", "saved_model_variable_dtype",
    "saved_model_variable_shape", "saved_model_recursive_function", "saved_model_bad_signature",
    "saved_model_dangling_input", "saved_model_bad_restore_op", "saved_model_missing_asset",
    "saved_model_tf2_variable_shape",
    # Footer::DecodeFrom reads the two handles and the magic only.
    "footer_nonzero_padding",
    # Each entry is read and checksummed on its own: two sharing bytes is
    # never noticed.
    "overlapping_data",
}


def expected_outcome(name):
    if name in CRASH:
        return "crash"
    if name in ACCEPT:
        return "accept"
    return "reject"


def worker(root, names):
    import resource
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # crashes are expected: no core files
    from tforacle.env import import_tf
    tf = import_tf()
    doc = json.load(open(os.path.join(root, "EXPECTED.json")))
    by_name = {c["name"]: c for c in doc["cases"]}
    for name in names:
        path = os.path.join(root, by_name[name]["validate"])
        print("@@START\t%s" % name, flush=True)
        try:
            if os.path.isdir(path):
                st = tf.train.get_checkpoint_state(path)
                latest = tf.train.latest_checkpoint(path)
                detail = "get_checkpoint_state %s, latest_checkpoint %r" % (
                    "None" if st is None else "returned a state", latest)
            else:
                reader = tf.train.load_checkpoint(path)
                keys = sorted(reader.get_variable_to_shape_map())
                for k in keys:
                    reader.get_tensor(k)
                detail = "read keys %s" % keys
            print("@@CASE\t%s\taccept\t%s" % (name, detail), flush=True)
        except Exception as e:  # noqa: BLE001 -- every exception is an outcome
            print("@@CASE\t%s\treject\t%s: %s" % (name, type(e).__name__,
                                                  " ".join(str(e).split())[:160]), flush=True)


def run_chunk(root, names, results, lock):
    """Runs names in workers, restarting after each crash."""
    pending = list(names)
    while pending:
        proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", root]
                                + pending, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, errors="replace")
        current = None
        done = []
        for line in proc.stdout:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "@@START":
                current = parts[1]
            elif parts[0] == "@@CASE":
                with lock:
                    results[parts[1]] = (parts[2], parts[3])
                done.append(parts[1])
                current = None
        err = proc.stderr.read()
        rc = proc.wait()
        pending = [n for n in pending if n not in done]
        if current is not None:
            why = next((ln for ln in err.splitlines() if "Check failed" in ln or
                        "Unexpected type" in ln), "")
            sig = -rc if rc < 0 else rc
            with lock:
                results[current] = ("crash", "process died (%s) %s" % (
                    "signal %d" % sig if rc < 0 else "exit %d" % rc, why.strip()[:160]))
            pending.remove(current)
        elif rc != 0 and pending:
            with lock:
                for n in pending:
                    results[n] = ("error", "worker failed before reaching it: %s" % err[-300:])
            return


def main(argv):
    if len(argv) >= 3 and argv[1] == "--worker":
        worker(argv[2], argv[3:])
        return 0
    if len(argv) != 2:
        print("usage: tf_reads_bad.py <golden/bad dir>", file=sys.stderr)
        return 2
    root = os.path.abspath(argv[1])
    names = [c["name"] for c in json.load(open(os.path.join(root, "EXPECTED.json")))["cases"]]
    results, lock = {}, threading.Lock()
    jobs = max(1, min(8, os.cpu_count() or 1))
    chunks = [names[i::jobs] for i in range(jobs)]
    threads = [threading.Thread(target=run_chunk, args=(root, c, results, lock)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts = {"reject": 0, "accept": 0, "crash": 0}
    wrong = []
    for n in names:
        got, detail = results.get(n, ("error", "no result"))
        want = expected_outcome(n)
        counts[got] = counts.get(got, 0) + 1
        mark = "ok  " if got == want else "DIFF"
        print("    %s %-34s TF %-6s (pinned %-6s) %s" % (mark, n, got, want, detail))
        if got != want:
            wrong.append("%s: TF %s, pinned %s" % (n, got, want))
    detail = "TF 2.21 rejects %d, accepts %d (%s), crashes on %d (%s)" % (
        counts["reject"], counts["accept"],
        ",".join(n for n in names if results.get(n, ("",))[0] == "accept"), counts["crash"],
        ",".join(n for n in names if results.get(n, ("",))[0] == "crash"))
    if wrong:
        detail = "%d differ from the pinned outcome: %s; %s" % (len(wrong), "; ".join(wrong), detail)
    print("@@\tbad->tf\tgolden_bad_corpus\t%s\t%s" % ("FAIL" if wrong else "PASS", detail))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
