"""tforacle: thin helpers around Python TensorFlow used as tfckpt's oracle.

Shared by the golden generators (golden/generate/*.py) and by conformance
testees.  Import ``tforacle.env`` (or call ``tforacle.env.import_tf()``)
before TensorFlow so that logging is quiet and numerics are reproducible.

Modules:
  hashing     sha256 of files/bytes, file listings with size+sha256
  tensors     exact JSON encoding of tensor values (+ raw little-endian bytes)
  table       pure-Python reader of TF's LevelDB-format tables (.index files,
              V1 checkpoint files): footer, block handles, block trailer
              type bytes (compression) and CRCs, entries
  checkpoint  describe a checkpoint's tensors via TF's CheckpointReader, and
              its raw index entries (BundleEntryProto / SavedTensorSlices)
  manifest    Scenario recorder writing MANIFEST fragments, and merging them
"""

__all__ = ["hashing", "tensors", "table", "checkpoint", "manifest", "env"]
MANIFEST_SCHEMA_VERSION = 1
