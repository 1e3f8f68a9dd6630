"""MANIFEST recording: one Scenario per golden directory, merged at the end.

A generator script does::

    sc = Scenario("saver_v2_basic", "what it is", out_root, fragments_dir)
    with sc.cwd():                     # relative paths land in the scenario dir
        ... TF writes model.ckpt ...
    sc.add_checkpoint("model.ckpt")
    sc.add_run("restore", inputs={}, outputs={"v1:0": (tf.float32, value)})
    sc.add_error("restore_missing_key", exc, "what was attempted")
    sc.note("checkpoint_file_text", text)
    sc.finish()                        # lists files, writes <fragments>/<name>.json

and ``python -m tforacle.manifest merge FRAGMENTS_DIR OUT.json`` assembles
golden/MANIFEST.json (schema in golden/README.md).
"""
import contextlib
import json
import os
import re
import shutil
import sys

from . import MANIFEST_SCHEMA_VERSION
from . import checkpoint as ckpt_mod
from . import hashing
from . import tensors as tensors_mod


def dump_json(obj, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1, sort_keys=False, ensure_ascii=True, allow_nan=False)
        f.write("\n")


def _path_replacements():
    """Machine-dependent path prefixes -> placeholders (longest first)."""
    reps = []
    repo = os.environ.get("TFCKPT_REPO_ROOT")
    if repo:
        reps.append((os.path.realpath(repo), "<repo>"))
        reps.append((os.path.abspath(repo), "<repo>"))
    reps.append((sys.prefix, "<venv>"))
    reps.append((sys.base_prefix, "<python>"))
    reps.append((os.path.realpath(sys.base_prefix), "<python>"))
    gen = os.environ.get("TFCKPT_GOLDEN_STAGING")
    if gen:
        reps.append((os.path.realpath(gen), "<out>"))
        reps.append((os.path.abspath(gen), "<out>"))
    uniq = {}
    for k, v in reps:
        if k and k != "/":
            uniq.setdefault(k, v)
    return sorted(uniq.items(), key=lambda kv: -len(kv[0]))


def normalize_text(text):
    """Replace machine-dependent absolute path prefixes with placeholders."""
    for prefix, placeholder in _path_replacements():
        text = text.replace(prefix, placeholder)
    return text


_NODE_LINE = re.compile(r"^Node: '[^']*'$")
_ORIGINAL_ERROR = "Original error:\n\n"


def status_message(message):
    """The C++ Status message inside a graph-mode OpError message.

    Graph-mode errors read "...Detected at node 'x' defined at ...\\nNode: 'x'\\n
    <status message>\\n\\t [[{{node x}}]]"; return <status message> (else the
    whole message minus any trailing "\\t [[...]]" lines).
    """
    lines = message.split("\n")
    start = 0
    for i, line in enumerate(lines):
        if _NODE_LINE.match(line):
            start = i + 1
    # TF 1.x has no "Node:" line; Saver.restore's wrapped error reads
    # "Restoring from checkpoint failed. ... Original error:\n\n<status
    # message>\n\t [[node x (defined at ...) ]]".
    if start == 0 and _ORIGINAL_ERROR in message:
        lines = message.split(_ORIGINAL_ERROR, 1)[1].split("\n")
    body = []
    for line in lines[start:]:
        if line.startswith("\t [[") or line.startswith("\t[["):
            break
        body.append(line)
    text = "\n".join(body).strip("\n")
    # Eager errors: "{{function_node __wrapped__Op_...}} <status> [Op:Op]".
    text = _EAGER_PREFIX.sub("", text)
    text = _EAGER_SUFFIX.sub("", text)
    return text


_EAGER_PREFIX = re.compile(r"^\{\{function_node [^}]*\}\} ")
_EAGER_SUFFIX = re.compile(r" \[Op:[A-Za-z0-9_]+\]( name: [^\n]*)?$")


def error_record(name, exc, what=""):
    rec = {
        "name": name,
        "what": what,
        "type": type(exc).__name__,
        "module": type(exc).__module__,
        "str": normalize_text(str(exc)),
    }
    code = getattr(exc, "error_code", None)
    if code is not None and hasattr(exc, "message"):
        try:
            from tensorflow.core.protobuf import error_codes_pb2
            rec["error_code"] = error_codes_pb2.Code.Name(code)
        except Exception:  # pragma: no cover
            rec["error_code"] = int(code)
        rec["message"] = normalize_text(exc.message)
        rec["status_message"] = normalize_text(status_message(exc.message))
    elif _DEFINED_AT in str(exc):
        # Reference-variable errors append where the variable was created.
        rec["message"] = str(exc).split(_DEFINED_AT, 1)[0]
    return rec


_DEFINED_AT = " Originally defined at:"


def tensor_map(values, large_threshold=tensors_mod.LARGE_THRESHOLD):
    """{tensor name: (dtype, value)} -> [tensor records] in the given order."""
    out = []
    for name, (dtype, value) in values.items():
        out.append(tensors_mod.encode(name, dtype, value, large_threshold))
    return out


class Scenario:
    def __init__(self, name, description, out_root, fragments_dir, tf_version=None):
        if not re.match(r"^[a-z0-9_]+$", name):
            raise ValueError("bad scenario name %r" % name)
        self.name = name
        self.description = description
        self.dir = os.path.abspath(os.path.join(out_root, name))
        self.fragments_dir = fragments_dir
        if tf_version is None:
            import tensorflow as tf
            tf_version = tf.__version__
        self.tf_version = tf_version
        if os.path.exists(self.dir):
            shutil.rmtree(self.dir)
        os.makedirs(self.dir)
        self.checkpoints = []
        self.runs = []
        self.errors = []
        self.notes = {}
        self.nondeterministic = {}  # relative path -> why its bytes vary between runs

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    @contextlib.contextmanager
    def cwd(self, sub=None):
        """chdir into the scenario directory (or a sub-directory of it)."""
        old = os.getcwd()
        target = self.path(sub) if sub else self.dir
        os.makedirs(target, exist_ok=True)
        os.chdir(target)
        try:
            yield target
        finally:
            os.chdir(old)

    def add_checkpoint(self, prefix, label=None, written_by="tensorflow", writer=None,
                       large_threshold=tensors_mod.LARGE_THRESHOLD, **extra):
        """Describe the checkpoint at prefix (relative to the scenario dir).

        Provenance: written_by "tensorflow" (this TF wrote the files) or
        "tfckpt" (tfckpt wrote them; `writer` says how).  Either way the
        tensors recorded are what TF's NewCheckpointReader reads back.
        """
        full = prefix if os.path.isabs(prefix) else self.path(prefix)
        desc = ckpt_mod.describe_checkpoint(full, root=self.dir, large_threshold=large_threshold)
        head = {"label": label} if label else {}
        head.update(prefix=desc.pop("prefix"), format=desc.pop("format"), written_by=written_by)
        if written_by == "tensorflow":
            head["writer"] = writer or "TensorFlow " + self.tf_version
        else:
            if not writer:
                raise ValueError("add_checkpoint(%s): say how %s wrote it" % (prefix, written_by))
            head["writer"] = writer
            head["read_back_by"] = "TensorFlow " + self.tf_version
        head.update(desc)
        desc = head
        desc.update(extra)
        self.checkpoints.append(desc)
        return desc

    def add_run(self, name, inputs=None, outputs=None, what="", **extra):
        """inputs/outputs: {tensor name: (tf dtype, numpy value)}."""
        rec = {"name": name, "what": what,
               "inputs": tensor_map(inputs or {}),
               "outputs": tensor_map(outputs or {})}
        rec.update(extra)
        self.runs.append(rec)
        return rec

    def add_error(self, name, exc, what=""):
        rec = error_record(name, exc, what)
        self.errors.append(rec)
        return rec

    def mark_nondeterministic(self, rel, why):
        """Flag a file whose bytes TF makes differ from run to run."""
        self.nondeterministic[rel] = why

    def note(self, key, value):
        self.notes[key] = value

    def read_text(self, rel):
        with open(self.path(rel), "r", encoding="utf-8") as f:
            return f.read()

    def to_dict(self):
        return {
            "name": self.name,
            "tf_version": self.tf_version,
            "description": self.description,
            "dir": self.name,
            "files": self._files(),
            "checkpoints": self.checkpoints,
            "runs": self.runs,
            "errors": self.errors,
            "notes": self.notes,
        }

    def _files(self):
        files = hashing.list_files(self.dir)
        for f in files:
            if f["path"] in self.nondeterministic:
                f["deterministic"] = False
                f["nondeterministic_reason"] = self.nondeterministic[f["path"]]
        return files

    def finish(self):
        d = self.to_dict()
        os.makedirs(self.fragments_dir, exist_ok=True)
        dump_json(d, os.path.join(self.fragments_dir, self.name + ".json"))
        return d


def merge(fragments_dir, out_path, golden_dir_rel="tf-2.21"):
    scenarios = []
    for fn in sorted(os.listdir(fragments_dir)):
        if fn.endswith(".json"):
            with open(os.path.join(fragments_dir, fn), encoding="utf-8") as f:
                scenarios.append(json.load(f))
    scenarios.sort(key=lambda s: s["name"])
    tf_versions = sorted({s["tf_version"] for s in scenarios})
    info = {}
    info_path = os.path.join(fragments_dir, "_environment.info")
    if os.path.exists(info_path):
        with open(info_path, encoding="utf-8") as f:
            info = json.load(f)
    manifest = {
        "schema_version": MANIFEST_SCHEMA_VERSION,
        "generator": "golden/generate/generate_all.sh",
        "golden_dir": golden_dir_rel,
        "tf_version": tf_versions[0] if len(tf_versions) == 1 else tf_versions,
        "environment": info,
        "total_size": sum(f["size"] for s in scenarios for f in s["files"]),
        "scenarios": scenarios,
    }
    dump_json(manifest, out_path)
    return manifest


def _stable_view(manifest):
    """The manifest minus size/sha256 of files flagged deterministic=false."""
    m = json.loads(json.dumps(manifest))
    for sc in m.get("scenarios", []):
        for f in sc.get("files", []):
            if f.get("deterministic") is False:
                f.pop("sha256", None)
                f.pop("size", None)
    m.pop("total_size", None)
    return m


def compare(a_path, b_path):
    """True when two MANIFESTs agree on everything TF writes deterministically."""
    with open(a_path, encoding="utf-8") as f:
        a = json.load(f)
    with open(b_path, encoding="utf-8") as f:
        b = json.load(f)
    return _stable_view(a) == _stable_view(b)


def nondeterministic_files(manifest_path):
    with open(manifest_path, encoding="utf-8") as f:
        m = json.load(f)
    return [sc["dir"] + "/" + f["path"] for sc in m["scenarios"] for f in sc["files"]
            if f.get("deterministic") is False]


def environment_info():
    import platform
    import numpy
    import tensorflow as tf
    import google.protobuf
    return {
        "tensorflow": tf.__version__,
        "tensorflow_git_version": tf.version.GIT_VERSION,
        "numpy": numpy.__version__,
        "protobuf": google.protobuf.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "byteorder": sys.byteorder,
    }


def _main(argv):
    if len(argv) >= 2 and argv[0] == "merge":
        m = merge(argv[1], argv[2] if len(argv) > 2 else "MANIFEST.json",
                  *argv[3:4])  # [golden_dir, relative to the MANIFEST's directory]
        print("%d scenarios, %d bytes" % (len(m["scenarios"]), m["total_size"]))
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        same = compare(argv[1], argv[2])
        print("same" if same else "different")
        return 0 if same else 1
    if len(argv) == 2 and argv[0] == "nondeterministic":
        for p in nondeterministic_files(argv[1]):
            print(p)
        return 0
    if len(argv) == 2 and argv[0] == "environment":
        from . import env
        env.import_tf()
        dump_json(environment_info(), argv[1])
        return 0
    sys.stderr.write("usage: python -m tforacle.manifest merge FRAGMENTS_DIR OUT.json [GOLDEN_DIR]\n"
                     "       python -m tforacle.manifest compare A.json B.json\n"
                     "       python -m tforacle.manifest nondeterministic MANIFEST.json\n"
                     "       python -m tforacle.manifest environment OUT.info\n")
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
