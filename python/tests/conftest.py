import json
import os
import pathlib

import pytest

# golden/ of the source tree (or of Bazel's runfiles: run_pytest.sh sets it).
GOLDEN = pathlib.Path(os.environ.get("TFCKPT_GOLDEN") or pathlib.Path(__file__).resolve().parents[2] / "golden")


@pytest.fixture(scope="session")
def manifest():
    return json.loads((GOLDEN / "MANIFEST.json").read_text())


def golden_checkpoints():
    """(id, path, MANIFEST checkpoint record) for every golden checkpoint."""
    m = json.loads((GOLDEN / "MANIFEST.json").read_text())
    out = []
    for s in m["scenarios"]:
        for c in s.get("checkpoints", []):
            if c.get("tensors"):
                out.append((f"{s['name']}:{c['prefix']}", GOLDEN / m.get("golden_dir", "tf-2.21") / s["dir"] / c["prefix"], c))
    return out
