"""sha256 helpers and file listings."""
import hashlib
import os


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def sha256_file(path, bufsize=1 << 20):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            chunk = f.read(bufsize)
            if not chunk:
                break
            h.update(chunk)
    return h.hexdigest()


def file_entry(path, rel):
    return {"path": rel, "size": os.path.getsize(path), "sha256": sha256_file(path)}


def list_files(root):
    """All regular files under root as [{path, size, sha256}], sorted by path.

    Paths are relative to root and use '/' separators.
    """
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fn in sorted(filenames):
            full = os.path.join(dirpath, fn)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            out.append(file_entry(full, rel))
    out.sort(key=lambda e: e["path"])
    return out
