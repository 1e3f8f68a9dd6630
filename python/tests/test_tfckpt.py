"""tfckpt (the Python package) against what TensorFlow 2.21, 1.15 and 2.11
wrote and recorded (golden/MANIFEST.json, golden/tf-V/MANIFEST.json), the broken-file corpus (golden/bad) and the
safetensors spec. No TensorFlow needed; the oracle tier compares with
TensorFlow itself (conformance/oracle/load_vs_tf.py)."""
import hashlib
import json
import os
import shutil
import subprocess

import numpy as np
import pytest

import tfckpt
from conftest import GOLDEN, golden_checkpoints

CHECKPOINTS = golden_checkpoints()


def tf_name(dtype_enum):  # "DT_HALF" -> "half" (TF's DataTypeString)
    return dtype_enum[3:].lower()


def check_tensor(array, record):
    assert array.shape == tuple(record["shape"]), record["name"]
    if record["dtype"] == "DT_STRING":
        values = [bytes.fromhex(v) for v in record["values"]] if "values" in record else None
        got = list(array.reshape(-1))
        assert all(isinstance(v, bytes) for v in got)
        if values is not None:
            assert got == values, record["name"]
        return
    assert hashlib.sha256(array.tobytes()).hexdigest() == record["raw_sha256"], record["name"]


@pytest.mark.parametrize("case", CHECKPOINTS, ids=[c[0] for c in CHECKPOINTS])
def test_load_equals_what_tensorflow_recorded(case):
    _, path, record = case
    loaded = tfckpt.load(str(path))
    assert sorted(loaded) == sorted(t["name"] for t in record["tensors"])
    ckpt = tfckpt.open(str(path))
    assert ckpt.format == record["format"]
    for t in record["tensors"]:
        assert ckpt.dtypes[t["name"]] == tf_name(t["dtype"])
        assert ckpt.shapes[t["name"]] == tuple(t["shape"])
        check_tensor(loaded[t["name"]], t)
        check_tensor(ckpt[t["name"]], t)


def test_paths_go_through_the_one_resolver():
    by_dir = tfckpt.load(GOLDEN / "tf-2.21" / "partitioned")  # `checkpoint` state file
    by_index = tfckpt.load(str(GOLDEN / "tf-2.21" / "partitioned" / "model.ckpt.index"))
    saved_model = tfckpt.open(GOLDEN / "tf-2.21" / "saved_model_simple_save" / "saved_model")
    assert sorted(by_dir) == sorted(by_index) == ["pv", "w"]
    assert by_dir["pv"].shape == (10, 4)  # assembled from its partitions
    assert saved_model.prefix.endswith("saved_model/variables/variables")
    assert saved_model.names == ["W", "b"]


def test_tf1_era_paths():
    """What only TF 1.x writes (docs/TF_VERSIONS.md, "Files only TF 1.x writes")."""
    m = json.loads((GOLDEN / "tf-1.15" / "MANIFEST.json").read_text())
    sc = {s["name"]: s for s in m["scenarios"]}
    # A `checkpoint` state file naming the pattern model.ckpt-7-?????-of-00003.
    want = sorted(t["name"] for t in sc["sharded_devices_v1"]["checkpoints"][0]["tensors"])
    assert sorted(tfckpt.load(GOLDEN / "tf-1.15" / "sharded_devices_v1")) == want
    # A SavedModel whose variables are one V1 file (no .index).
    sm = tfckpt.open(GOLDEN / "tf-1.15" / "saved_model_v1_variables" / "saved_model")
    assert sm.format == "V1"
    assert sorted(sm.names) == sorted(t["name"] for t in sc["saved_model_v1_variables"]["checkpoints"][0]["tensors"])


def test_lazy_views_and_copies():
    ckpt = tfckpt.open(GOLDEN / "tf-2.21" / "dtypes" / "dtypes")
    view = ckpt["large/float32_1024x768"]
    assert not view.flags.writeable
    copy = ckpt.get("large/float32_1024x768", copy=True)
    copy[0, 0] = 42
    assert view[0, 0] != 42 and copy.flags.writeable
    assert tfckpt.load(ckpt.prefix)["int8"].flags.writeable
    with pytest.raises(KeyError):
        ckpt["no/such/tensor"]


def test_bfloat16_is_returned_as_its_bits(manifest):
    ckpt = tfckpt.open(GOLDEN / "tf-2.21" / "dtypes" / "dtypes")
    assert ckpt.dtypes["bfloat16"] == "bfloat16"
    bits = ckpt["bfloat16"]
    assert bits.dtype == np.uint16
    record = next(t for s in manifest["scenarios"] if s["name"] == "dtypes"
                  for t in s["checkpoints"][0]["tensors"] if t["name"] == "bfloat16")
    want = np.array([float(v) for v in record["values"]], dtype=np.float32)
    np.testing.assert_array_equal(tfckpt.bfloat16_to_float32(bits), want)


def data_offsets(prefix):
    """{name: data offset} as the C++ library reads TF's index (`tfckpt inspect
    --json`; the MANIFEST records only what TensorFlow reads)."""
    out = subprocess.run([os.environ["TFCKPT_BIN"], "inspect", "--json", str(prefix)],
                         check=True, stdout=subprocess.PIPE)
    return {t["name"]: t["offset"] for t in json.loads(out.stdout)["tensors"]}


# Checkpoints that TF wrote with one Saver / tf.train.Checkpoint save, whole
# tensors only, one data file: what tfckpt.load read, saved in TF's order
# (the data offsets TF recorded), must be TF's bytes.
# TF 1.15 and 2.11 write the same bundle bytes as 2.21 (docs/TF_VERSIONS.md).
BYTE_IDENTICAL = ["tf-2.21/" + c for c in (
    "dtypes:dtypes", "saver_v2_basic:model.ckpt", "variable_scopes:model.ckpt", "names_unicode:names",
    "strings_zero_size:strings", "tf2_checkpoint:ckpt/ckpt-1", "ema:zero_debias.ckpt",
    "partial_restore:full.ckpt")] + ["tf-1.15/" + c for c in (
    "dtypes:dtypes", "saver_v2_basic:model.ckpt", "variable_scopes:model.ckpt", "names_unicode:names",
    "strings_zero_size:strings", "ema:zero_debias.ckpt", "layers_batch_norm:model.ckpt",
    "conv_batch_norm_fused:model.ckpt")] + [
    "tf-2.11/tf2_checkpoint:ckpt/ckpt-1", "tf-2.11/tf2_module_saved_model:saved_model/variables/variables"]


@pytest.mark.parametrize("case_id", BYTE_IDENTICAL)
def test_save_writes_tensorflows_bytes(case_id, tmp_path):
    _, path, record = next(c for c in CHECKPOINTS if c[0] == case_id)
    loaded = tfckpt.load(str(path), copy=False)
    offsets = data_offsets(path)
    tensors = {n: loaded[n] for n in sorted(loaded, key=lambda n: offsets[n])}
    ckpt = tfckpt.open(str(path))
    storage = {n: d for n, d in ckpt.dtypes.items() if d not in tfckpt._dtypes.NATIVE and d != "string"}
    out = tmp_path / "out"
    tfckpt.save(str(out), tensors, dtypes=storage)
    for suffix in (".index", ".data-00000-of-00001"):
        assert (tmp_path / ("out" + suffix)).read_bytes() == (path.parent / (path.name + suffix)).read_bytes(), suffix


def test_save_v1_round_trip_and_bad_arguments(tmp_path):
    tensors = {"w": np.arange(6, dtype=np.float32).reshape(2, 3), "s": np.array([b"a", "é"], dtype=object),
               "flag": np.bool_(True)}
    tfckpt.save(str(tmp_path / "v1.ckpt"), tensors, format="V1")
    back = tfckpt.load(str(tmp_path / "v1.ckpt"))
    np.testing.assert_array_equal(back["w"], tensors["w"])
    assert list(back["s"]) == [b"a", "é".encode()]
    assert back["flag"].shape == () and back["flag"]
    with pytest.raises(tfckpt.InvalidArgumentError):
        tfckpt.save(str(tmp_path / "x"), {"a": np.zeros(2, np.float32)}, dtypes={"a": "bfloat16"})
    with pytest.raises(ValueError):
        tfckpt.save(str(tmp_path / "x"), {"a": np.zeros(2, dtype="M8[s]")})


def bad_cases():
    expected = json.loads((GOLDEN / "bad" / "EXPECTED.json").read_text())
    return [(c["name"], c) for c in expected["cases"]]


@pytest.mark.parametrize("name,case", bad_cases(), ids=[c[0] for c in bad_cases()])
def test_validate_and_load_report_the_defect(name, case, tmp_path):
    # A copy with real files: runfiles are symlinks, and the validator opens
    # leftovers (temp files, parked backups) with O_NOFOLLOW.
    shutil.copytree(GOLDEN / "bad" / name, tmp_path / name)
    path = str(tmp_path / case["validate"])
    report = tfckpt.validate(path)
    codes = {d.code for d in report}
    assert codes & set(case["expect_any"]), (name, report)
    errors = [d.code for d in report if not d.warning]
    assert report.ok == (not errors)
    # A read that fails names a defect the validator found (reads may succeed
    # where the validator still objects: e.g. a stray shard beside the files).
    try:
        tfckpt.load(path)
    except tfckpt.CheckpointError as e:
        # Or a feature tfckpt checks but does not decode, which its validator
        # only warns about (UNSUPPORTED: variant_tensor).
        unsupported = e.code is None and not errors and "UNSUPPORTED" in codes
        assert e.code in errors or unsupported, (e, errors)


def test_errors_name_the_file_and_carry_the_code(tmp_path):
    with pytest.raises(tfckpt.NotFoundError) as e:
        tfckpt.load(str(tmp_path / "missing.ckpt"))
    assert e.value.code == "NOT_FOUND" and "missing.ckpt" in str(e.value)
    assert isinstance(e.value, FileNotFoundError)
    src = GOLDEN / "tf-2.21" / "saver_v2_basic"
    for f in ("model.ckpt.index", "model.ckpt.data-00000-of-00001"):
        shutil.copy(src / f, tmp_path / f)
    data = tmp_path / "model.ckpt.data-00000-of-00001"
    raw = bytearray(data.read_bytes())
    raw[0] ^= 1
    data.write_bytes(bytes(raw))
    with pytest.raises(tfckpt.CorruptCheckpointError) as e:
        tfckpt.load(str(tmp_path / "model.ckpt"))
    assert e.value.code == "TENSOR_CRC" and "model.ckpt" in str(e.value)


def read_safetensors(path):
    """A reader from the spec: u64 header size, JSON, raw little-endian data."""
    raw = open(path, "rb").read()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    buf = raw[8 + n:]
    ends = sorted(h["data_offsets"] for h in header.values())
    assert ends[0][0] == 0 and ends[-1][1] == len(buf)
    assert all(a[1] == b[0] for a, b in zip(ends, ends[1:]))  # no holes
    kinds = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "I8": "i1", "I16": "<i2", "I32": "<i4",
             "I64": "<i8", "U8": "u1", "U16": "<u2", "U32": "<u4", "U64": "<u8", "BOOL": "?", "BF16": "<u2"}
    return {k: np.frombuffer(buf[h["data_offsets"][0]:h["data_offsets"][1]], kinds[h["dtype"]]).reshape(h["shape"])
            for k, h in header.items()}


def test_to_safetensors(tmp_path):
    src = GOLDEN / "tf-2.21" / "dtypes" / "dtypes"
    ckpt = tfckpt.open(src)
    keep = [n for n in ckpt.names if ckpt.dtypes[n] in
            ("float", "double", "half", "bfloat16", "int8", "int16", "int32", "int64", "uint8",
             "uint16", "uint32", "uint64", "bool")]
    out = tmp_path / "model.safetensors"
    with pytest.raises(tfckpt.InvalidArgumentError, match='"complex128".*no safetensors'):
        tfckpt.to_safetensors(src, out)
    assert not out.exists()
    tfckpt.to_safetensors(src, out, rename=lambda n: "tf." + n if n in keep else None,
                          metadata={"source": "tensorflow"})
    mine = read_safetensors(out)
    assert sorted(mine) == sorted("tf." + n for n in keep)
    for n in keep:
        assert mine["tf." + n].tobytes() == ckpt[n].tobytes(), n
    safetensors = pytest.importorskip(
        "safetensors", reason="the `safetensors` package is not installed (python/test_registry.sh installs it)")
    with safetensors.safe_open(str(out), framework="np") as f:
        assert sorted(f.keys()) == sorted(mine)
        assert f.metadata() == {"source": "tensorflow"}
        for n in keep:
            if ckpt.dtypes[n] == "bfloat16":
                continue  # numpy has no bfloat16 for it to return; the bits are checked above
            theirs = f.get_tensor("tf." + n)
            assert theirs.dtype == ckpt[n].dtype, n
            np.testing.assert_array_equal(theirs, ckpt[n])
    # The function the benchmark uses, on a file without bfloat16.
    plain = tmp_path / "plain.safetensors"
    tfckpt.to_safetensors(src, plain, rename=lambda n: n if n in keep and n != "bfloat16" else None)
    from safetensors.numpy import load_file
    loaded = load_file(str(plain))
    assert sorted(loaded) == sorted(n for n in keep if n != "bfloat16")
    for n, v in loaded.items():
        np.testing.assert_array_equal(v, ckpt[n])
