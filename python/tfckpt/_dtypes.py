"""TensorFlow dtype names <-> numpy dtypes, for the bytes the C++ module moves.

numpy holds most TF dtypes natively. The others are returned as their
storage, bit for bit, and ``Tensors.dtypes`` still says what TF calls them:
bfloat16 as uint16 (the upper half of a float32: ``bfloat16_to_float32``),
the quantized qint8/quint8/qint16/quint16/qint32 as int8/uint8/int16/uint16/
int32, float8_* and float4_e2m1fn as uint8, int4/int2 as int8 and
uint4/uint2 as uint8 (one value per byte, as TF stores them). Strings are
numpy object arrays of ``bytes``.
"""
import numpy as np

NATIVE = {
    "float": np.float32, "double": np.float64, "half": np.float16,
    "int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64,
    "uint8": np.uint8, "uint16": np.uint16, "uint32": np.uint32, "uint64": np.uint64,
    "bool": np.bool_, "complex64": np.complex64, "complex128": np.complex128,
}
STORAGE = {
    "bfloat16": np.uint16, "qint8": np.int8, "quint8": np.uint8, "qint16": np.int16,
    "quint16": np.uint16, "qint32": np.int32, "float8_e5m2": np.uint8,
    "float8_e4m3fn": np.uint8, "float8_e4m3fnuz": np.uint8, "float8_e4m3b11fnuz": np.uint8,
    "float8_e5m2fnuz": np.uint8, "float4_e2m1fn": np.uint8, "int4": np.int8, "uint4": np.uint8,
    "int2": np.int8, "uint2": np.uint8,
}
_BY_NUMPY = {np.dtype(v).str: k for k, v in NATIVE.items()}


def numpy_dtype(tf_name):
    """The numpy dtype of tensors of TF dtype `tf_name` (None for strings)."""
    if tf_name == "string":
        return None
    t = NATIVE.get(tf_name) or STORAGE.get(tf_name)
    if t is None:
        raise ValueError(f"dtype {tf_name} cannot be held in a numpy array")
    return np.dtype(t).newbyteorder("=")


def tf_dtype_of(array):
    """The TF dtype name for a numpy array (object/bytes/str arrays: string)."""
    if array.dtype.kind in "OSU":
        return "string"
    name = _BY_NUMPY.get(array.dtype.newbyteorder("=").str) if array.dtype.byteorder != "|" else \
        _BY_NUMPY.get(array.dtype.str)
    if name is None:
        raise ValueError(f"numpy dtype {array.dtype} has no TensorFlow equivalent")
    return name


def bfloat16_to_float32(bits):
    """float32 values of bfloat16 bit patterns (a uint16 array)."""
    bits = np.asarray(bits, dtype=np.uint16)
    return (bits.astype(np.uint32) << 16).view(np.float32)

