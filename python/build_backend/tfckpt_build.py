"""PEP 517 backend for python/: the wheel's extension module comes from Bazel.

build_wheel runs, from the repository root,
    bazel build -c opt --repo_env=TFCKPT_BINDINGS_PYTHON=<this interpreter> //python:_tfckpt.so
and packs bazel-bin/python/_tfckpt.so with python/tfckpt/*.py into
tfckpt-<version>-<cpXY>-<cpXY>-<platform>.whl. The module links the
library's C++ targets statically and Debian's shared libraries (protobuf,
snappy, isa-l, ssl) dynamically, so the wheel is for this machine's kind
(Debian 12 with tools/install_deps.sh's packages), not for PyPI.
Only the standard library is used (requires = [] in pyproject.toml).
"""
import base64
import hashlib
import os
import pathlib
import subprocess
import sys
import sysconfig
import zipfile

HERE = pathlib.Path(__file__).resolve().parent.parent  # python/
ROOT = HERE.parent                                      # the repository
NAME, VERSION = "tfckpt", "0.1.0"
METADATA = f"""Metadata-Version: 2.1
Name: {NAME}
Version: {VERSION}
Summary: Read, write and validate TensorFlow checkpoints without TensorFlow
Requires-Python: >=3.8
Requires-Dist: numpy
"""


def _tag():
    impl = f"cp{sys.version_info.major}{sys.version_info.minor}"
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return f"{impl}-{impl}-{plat}"


def _bazel(*args):
    cmd = ["bazel", *args]
    print("tfckpt build: " + " ".join(cmd), file=sys.stderr, flush=True)
    return subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.PIPE,
                          text=True).stdout.strip()


def _build_module():
    if not (ROOT / "WORKSPACE").exists():
        raise RuntimeError(f"{ROOT} is not the tfckpt repository: build from a clone "
                           "(pip >= 21.3 builds python/ in place)")
    flags = ["-c", "opt", f"--repo_env=TFCKPT_BINDINGS_PYTHON={sys.executable}"]
    _bazel("build", *flags, "//python:_tfckpt.so")
    return pathlib.Path(_bazel("info", *flags, "bazel-bin")) / "python" / "_tfckpt.so"


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={digest},{len(data)}"


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    dist_info = pathlib.Path(metadata_directory) / f"{NAME}-{VERSION}.dist-info"
    dist_info.mkdir(parents=True, exist_ok=True)
    (dist_info / "METADATA").write_text(METADATA)
    return dist_info.name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    module = _build_module()
    tag = _tag()
    files = {f"tfckpt/{p.name}": p.read_bytes() for p in sorted((HERE / "tfckpt").glob("*.py"))}
    files["tfckpt/_tfckpt.so"] = module.read_bytes()
    dist_info = f"{NAME}-{VERSION}.dist-info"
    files[f"{dist_info}/METADATA"] = METADATA.encode()
    files[f"{dist_info}/WHEEL"] = (f"Wheel-Version: 1.0\nGenerator: tfckpt_build\n"
                                   f"Root-Is-Purelib: false\nTag: {tag}\n").encode()
    record = [_record_line(name, data) for name, data in files.items()]
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = f"{NAME}-{VERSION}-{tag}.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel), "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if name.endswith(".so") else 0o644) << 16
            z.writestr(info, data, zipfile.ZIP_DEFLATED)
    return wheel
