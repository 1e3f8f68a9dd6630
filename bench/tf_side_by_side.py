"""TensorFlow's half of the side-by-side benchmark (bench/run_side_by_side.sh).

Runs in the oracle virtualenv (tools/oracle/setup_venv.sh prints it):

  python bench/tf_side_by_side.py DIR REPS FSYNC_REPS > tf.jsonl

DIR holds DIR/one and DIR/many, written by tfckpt (`side_by_side prepare`,
the storage_bench data sets). For each layout this script

  - reads tfckpt's bundle with tf.raw_ops.RestoreV2 (every key in one op)
    and with tf.train.load_checkpoint(...).get_tensor of every key;
  - writes the tensors it read to DIR/tf_<layout> with tf.raw_ops.SaveV2,
    eagerly and from a tf.function (fresh prefix each time; deleting the
    previous output and syncfs are not timed). TensorFlow's writer never
    fsyncs, so these compare with tfckpt's fsync-skipped write;
  - reports whether TensorFlow's files equal tfckpt's byte for byte;
  - reads TensorFlow's own bundle back the same two ways.

RestoreV2 of every key is also TensorFlow's way to do the validator's job:
it reads every tensor and checks its CRC32C (BundleReader::GetValue).

One JSON line per measurement, as side_by_side.cc prints them:
{"impl":"tf","op":...,"layout":...,"file":"tfckpt"|"tf","bytes":N,
 "wall":[s...],"cpu":[s...]} (cpu: process CPU time, all threads), and one
{"impl":"tf","info":{...}} line with the version and the byte comparisons.
"""

import ctypes
import hashlib
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

DATA = ".data-00000-of-00001"
INDEX = ".index"


def syncfs(directory):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        libc.syncfs(fd)
    finally:
        os.close(fd)


def remove_bundle(prefix):
    for suffix in (INDEX, DATA):
        try:
            os.remove(prefix + suffix)
        except FileNotFoundError:
            pass


def warm(prefix):
    """Reads both files once so that timed reads find them cached."""
    for suffix in (INDEX, DATA):
        with open(prefix + suffix, "rb") as f:
            while f.read(1 << 24):
                pass


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 24), b""):
            h.update(block)
    return h.hexdigest()


def emit(record):
    print(json.dumps(record), flush=True)


def measure(op, layout, file, nbytes, reps, run, before=None):
    """Times run() reps times; run's result is dropped outside the timing."""
    wall, cpu = [], []
    for _ in range(reps):
        if before is not None:
            before()
        c0, t0 = time.process_time(), time.perf_counter()
        result = run()
        w, c = time.perf_counter() - t0, time.process_time() - c0
        del result
        wall.append(w)
        cpu.append(c)
    emit({"impl": "tf", "op": op, "layout": layout, "file": file, "bytes": nbytes,
          "wall": wall, "cpu": cpu})


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    directory, reps, fsync_reps = argv[1], int(argv[2]), int(argv[3])
    del fsync_reps  # TensorFlow has no fsync variant to time
    import tensorflow as tf

    info = {"tf_version": tf.__version__,
            "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
            "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
            "cpus": os.cpu_count()}
    for layout in ("one", "many"):
        src = os.path.join(directory, layout)
        out = os.path.join(directory, "tf_" + layout)
        keys = sorted(tf.train.load_checkpoint(src).get_variable_to_dtype_map())
        n = len(keys)
        slices = [""] * n
        dtypes = [tf.float32] * n

        def restore(prefix):
            return tf.raw_ops.RestoreV2(prefix=prefix, tensor_names=keys,
                                        shape_and_slices=slices, dtypes=dtypes)

        def reader_get_all(prefix):
            reader = tf.train.load_checkpoint(prefix)
            return [reader.get_tensor(k) for k in keys]

        warm(src)
        tensors = restore(src)  # the data TensorFlow writes below
        nbytes = sum(int(t.shape.num_elements()) * 4 for t in tensors)
        measure("read_restorev2", layout, "tfckpt", nbytes, reps, lambda: restore(src))
        measure("read_checkpoint_reader", layout, "tfckpt", nbytes, reps,
                lambda: reader_get_all(src))

        def fresh():
            remove_bundle(out)
            syncfs(directory)

        def save_eager():
            tf.raw_ops.SaveV2(prefix=out, tensor_names=keys, shape_and_slices=slices,
                              tensors=tensors)

        @tf.function
        def save_graph(prefix, values):
            tf.raw_ops.SaveV2(prefix=prefix, tensor_names=keys, shape_and_slices=slices,
                              tensors=values)

        measure("write_savev2_eager", layout, "tf", nbytes, reps, save_eager, before=fresh)
        fresh()
        save_graph(tf.constant(out), tensors)  # trace once, untimed
        measure("write_savev2_function", layout, "tf", nbytes, reps,
                lambda: save_graph(tf.constant(out), tensors), before=fresh)
        del tensors
        syncfs(directory)

        info[layout] = {
            "tensors": n,
            "bytes": nbytes,
            "data_file_identical": sha256(src + DATA) == sha256(out + DATA),
            "index_file_identical": sha256(src + INDEX) == sha256(out + INDEX),
        }
        warm(out)
        measure("read_restorev2", layout, "tf", nbytes, reps, lambda: restore(out))
        measure("read_checkpoint_reader", layout, "tf", nbytes, reps,
                lambda: reader_get_all(out))
    emit({"impl": "tf", "info": info})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
