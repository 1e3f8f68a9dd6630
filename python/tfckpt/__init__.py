"""tfckpt: read, write and check TensorFlow checkpoints without TensorFlow.

    import tfckpt
    weights = tfckpt.load("model.ckpt")           # {name: numpy.ndarray}
    with tfckpt.open("model.ckpt") as ckpt:        # lazy: nothing read yet
        ckpt.names, ckpt.dtypes["w"], ckpt.shapes["w"], ckpt["w"]
    tfckpt.save("out.ckpt", weights)               # V2 bundle, TF's bytes
    tfckpt.validate("model.ckpt")                  # the defects `tfckpt validate` lists
    tfckpt.to_safetensors("model.ckpt", "model.safetensors")

PATH is anything the CLI accepts (docs/CLI.md "Paths"): a V2 prefix, its
.index or a .data-* file, a V1 file or shard pattern, a directory with a
`checkpoint` state file, a SavedModel directory, a .meta next to its
checkpoint. Sharded checkpoints are read whole and partitioned variables
are assembled, as tf.train.load_checkpoint(...).get_tensor does; every
checksum is verified on read.

Values: numpy arrays; strings as object arrays of ``bytes``; dtypes numpy
lacks (bfloat16, quantized, float8, 4-bit) as their storage bits
(tfckpt._dtypes; ``bfloat16_to_float32``). Names are ``str`` (bytes that
are not UTF-8 are decoded with surrogateescape and encoded back the same
way). Errors are tfckpt.errors.CheckpointError with ``.code``, the defect
code of docs/VALIDATOR.md.
"""
import os as _os

import numpy as _np

from . import _dtypes
from ._dtypes import bfloat16_to_float32
from .errors import CheckpointError, CorruptCheckpointError, InvalidArgumentError, NotFoundError


def _import_module():
    # RTLD_DEEPBIND: the module's own libraries (Debian's libprotobuf) come
    # before symbols already loaded globally. TensorFlow, if imported first,
    # exports its own protobuf, and our generated proto code binding to it
    # aborts with a duplicate-descriptor error.
    import sys
    flags = sys.getdlopenflags()
    sys.setdlopenflags(flags | getattr(_os, "RTLD_DEEPBIND", 0))
    try:
        from . import _tfckpt as module
        return module
    finally:
        sys.setdlopenflags(flags)


_tfckpt = _import_module()

__all__ = ["load", "open", "save", "validate", "to_safetensors", "Checkpoint", "Defect",
           "bfloat16_to_float32", "CheckpointError", "CorruptCheckpointError",
           "InvalidArgumentError", "NotFoundError"]
__version__ = "0.1.0"


def _enc(name):
    return name.encode("utf-8", "surrogateescape")


def _dec(raw):
    return raw.decode("utf-8", "surrogateescape")


def _fspath(path):
    return _os.fsdecode(_os.fspath(path))


class Checkpoint:
    """A checkpoint opened for reading; tensors are read when asked for.

    ``names`` (sorted), ``dtypes`` and ``shapes`` (dicts by name, dtypes as
    TensorFlow names them: "float", "bfloat16", "string"...) come from the
    index alone. ``ckpt[name]`` / ``ckpt.get(name)`` reads one tensor as a
    read-only array over the buffer the read filled (files are read with
    pread, checksummed, and not copied again); ``copy=True`` gives a
    writable array, which is that same buffer when nothing else holds it.
    """

    def __init__(self, path):
        self._reader = _tfckpt.Reader(_fspath(path))
        self.names, self.dtypes, self.shapes = [], {}, {}
        for raw, dtype, shape in self._reader.list():
            name = _dec(raw)
            self.names.append(name)
            self.dtypes[name] = dtype
            self.shapes[name] = tuple(shape)

    @property
    def format(self):
        """"V2" or "V1"."""
        return self._reader.format()

    @property
    def prefix(self):
        """The V2 prefix, V1 file or V1 shard pattern PATH resolved to."""
        return self._reader.prefix()

    def describe(self):
        return self._reader.describe()

    def __contains__(self, name):
        return name in self.dtypes

    def __iter__(self):
        return iter(self.names)

    def __len__(self):
        return len(self.names)

    def __getitem__(self, name):
        return self.get(name)

    def keys(self):
        return list(self.names)

    def get(self, name, copy=False):
        if name not in self.dtypes:
            raise KeyError(name)
        data = self._reader.get(_enc(name), bool(copy))
        shape = self.shapes[name]
        dtype = _dtypes.numpy_dtype(self.dtypes[name])
        if dtype is None:
            out = _np.empty(len(data), dtype=object)
            out[:] = data
            return out.reshape(shape)
        return data.view(dtype).reshape(shape)

    def to_safetensors(self, out, rename=None, metadata=None):
        """See tfckpt.to_safetensors."""
        pairs = []
        for name in self.names:
            new = name if rename is None else rename(name)
            if new is not None:
                pairs.append((_enc(name), _enc(new)))
        self._reader.to_safetensors(_fspath(out), pairs, dict(metadata or {}))

    def close(self):
        self._reader = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"<tfckpt.Checkpoint {self.describe()}: {len(self.names)} tensors>"


def open(path):  # noqa: A001  (tfckpt.open, like tarfile.open)
    """Open a checkpoint lazily (Checkpoint)."""
    return Checkpoint(path)


def load(path, copy=True):
    """Every tensor of the checkpoint at `path`: {name: numpy.ndarray}.

    copy=True (default): writable arrays; copy=False: read-only arrays
    (see Checkpoint; both read each tensor once).
    """
    ckpt = Checkpoint(path)
    return {name: ckpt.get(name, copy=copy) for name in ckpt.names}


def save(path, tensors, format="V2", dtypes=None):  # noqa: A002
    """Write `tensors` ({name: array-like}) as a checkpoint at `path`.

    format "V2": `path` is the prefix; `path`.index and
    `path`.data-00000-of-00001 are the bytes TensorFlow's BundleWriter
    writes for the same tensors added in the same order (tensor data goes
    to the data file in the dict's order, as TF writes its save list's
    order; the index is sorted by name). "V1": a
    TensorSlice file. An existing checkpoint is replaced crash-safely.
    dtypes: {name: TF dtype name} to store a storage array as a dtype numpy
    lacks, e.g. {"w": "bfloat16"} for a uint16 array of bfloat16 bits.
    """
    if format not in ("V2", "V1"):
        raise InvalidArgumentError(f"format must be 'V2' or 'V1', not {format!r}", "INVALID_ARGUMENT")
    dtypes = dict(dtypes or {})
    items = []
    for name, value in tensors.items():
        array = _np.asarray(value)
        tf_dtype = dtypes.pop(name, None) or _dtypes.tf_dtype_of(array)
        if tf_dtype == "string":
            data = [v if isinstance(v, bytes) else str(v).encode("utf-8") for v in array.reshape(-1)]
        else:
            want = _dtypes.numpy_dtype(tf_dtype)
            if array.dtype.itemsize != want.itemsize:
                raise InvalidArgumentError(
                    f"tensor \"{name}\": a {array.dtype} array cannot be stored as {tf_dtype}",
                    "INVALID_ARGUMENT")
            data = _np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("="))
        items.append((_enc(name), tf_dtype, list(array.shape), data))
    if dtypes:
        raise InvalidArgumentError(f"dtypes names tensors not saved: {sorted(dtypes)}", "INVALID_ARGUMENT")
    _tfckpt.save(_fspath(path), items, format)


class Defect:
    """One finding of validate(): code (docs/VALIDATOR.md), warning, file,
    offset (or None), key (tensor) and message."""

    __slots__ = ("code", "warning", "file", "offset", "key", "message")

    def __init__(self, d):
        for k in self.__slots__:
            setattr(self, k, d[k])

    def __repr__(self):
        where = self.file + (f" @{self.offset}" if self.offset is not None else "")
        key = f" [{self.key}]" if self.key else ""
        return f"{self.code} {where}{key}: {self.message}"


class Report(list):
    """validate()'s answer: a list of Defect with ``ok`` (no error-level
    defect), ``errors``, ``warnings`` (counts, suppressed ones included) and
    ``notes``."""


def validate(path, verify_data=True):
    """Every defect of the files at `path`, as `tfckpt validate` reports them."""
    ok, defects, notes, errors, warnings = _tfckpt.validate(_fspath(path), bool(verify_data))
    report = Report(Defect(d) for d in defects)
    report.ok, report.notes, report.errors, report.warnings = ok, list(notes), errors, warnings
    return report


def to_safetensors(ckpt, out, rename=None, metadata=None):
    """Write the tensors of checkpoint `ckpt` (a path or a Checkpoint) to the
    safetensors file `out`.

    rename: a function from the TF name to the name in the file (return
    None to leave a tensor out); default: TF's names. metadata: the file's
    "__metadata__" ({str: str}). Tensors are streamed one at a time; strings,
    complex, quantized and 4-bit dtypes have no safetensors form and are an
    error naming the tensor (leave them out with rename).
    """
    if not isinstance(ckpt, Checkpoint):
        ckpt = Checkpoint(ckpt)
    ckpt.to_safetensors(out, rename=rename, metadata=metadata)
