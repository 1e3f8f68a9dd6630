"""One measurement for bench/python_load_bench.py, in a fresh process.

    python python_load_child.py LIB PATH

Imports LIB's reader (timed), then reads every tensor of PATH into numpy
arrays (timed), and prints one JSON line: import_s, load_s, tensors, bytes,
rss_after_import_mib and peak_rss_mib (VmHWM: the process's peak).
LIB: tfckpt (load: writable arrays), tfckpt-views (open + views, copy=False),
tf (tf.train.load_checkpoint(...).get_tensor), tcr (tensorflow-checkpoint-
reader's NewCheckpointReader(...).get_tensor), safetensors
(safetensors.numpy.load_file of the same tensors).
"""
import json
import os
import sys
import time


def vm(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def main():
    lib, path = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    if lib in ("tfckpt", "tfckpt-views"):
        import tfckpt
    elif lib == "tf":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf
    elif lib == "tcr":
        from tensorflow_checkpoint_reader import py_checkpoint_reader
    elif lib == "safetensors":
        from safetensors.numpy import load_file
    else:
        raise SystemExit("unknown LIB " + lib)
    import_s = time.perf_counter() - t0
    rss_import = vm("VmRSS")

    t0 = time.perf_counter()
    if lib == "tfckpt":
        out = tfckpt.load(path)
    elif lib == "tfckpt-views":
        ckpt = tfckpt.open(path)
        out = {n: ckpt.get(n) for n in ckpt.names}
    elif lib == "tf":
        r = tf.train.load_checkpoint(path)
        out = {n: r.get_tensor(n) for n in r.get_variable_to_shape_map()}
    elif lib == "tcr":
        r = py_checkpoint_reader.NewCheckpointReader(path)
        out = {n: r.get_tensor(n) for n in r.get_variable_to_shape_map()}
    else:
        out = load_file(path)
    load_s = time.perf_counter() - t0
    print(json.dumps({"lib": lib, "import_s": import_s, "load_s": load_s, "tensors": len(out),
                      "bytes": int(sum(v.nbytes for v in out.values())),
                      "rss_after_import_mib": rss_import, "peak_rss_mib": vm("VmHWM")}))


if __name__ == "__main__":
    main()
