import json
import os
import pathlib

import pytest

# golden/ of the source tree (or of Bazel's runfiles: run_pytest.sh sets it).
GOLDEN = pathlib.Path(os.environ.get("TFCKPT_GOLDEN") or pathlib.Path(__file__).resolve().parents[2] / "golden")


@pytest.fixture(scope="session")
def manifest():
    return json.loads((GOLDEN / "MANIFEST.json").read_text())


# Every TensorFlow release's corpus: its MANIFEST, relative to golden/ (its
# golden_dir is relative to the MANIFEST's directory; docs/TF_VERSIONS.md).
CORPORA = {"2.21": "MANIFEST.json", "1.15": "tf-1.15/MANIFEST.json", "2.11": "tf-2.11/MANIFEST.json"}


def golden_checkpoints():
    """(id "tf-V/scenario:prefix", path, MANIFEST checkpoint record) for every
    golden checkpoint of every corpus."""
    out = []
    for version, rel in CORPORA.items():
        path = GOLDEN / rel
        m = json.loads(path.read_text())
        root = path.parent / m["golden_dir"]
        for s in m["scenarios"]:
            for c in s.get("checkpoints", []):
                if c.get("tensors"):
                    out.append((f"tf-{version}/{s['name']}:{c['prefix']}", root / s["dir"] / c["prefix"], c))
    return out
