"""tforacle: thin helpers around Python TensorFlow used as tfckpt's oracle.

Shared by the golden generators (golden/generate/*.py) and by conformance
testees.  Import ``tforacle.env`` (or call ``tforacle.env.import_tf()``)
before TensorFlow so that logging is quiet and numerics are reproducible.

Modules:
  hashing     sha256 of files/bytes, file listings with size+sha256
  tensors     exact JSON encoding of tensor values (+ raw little-endian bytes)
  checkpoint  describe a checkpoint's tensors via TF's CheckpointReader (and
              the files holding them); no parsing of TF's file formats here:
              tfckpt's C++ library is the one codec, TF the oracle
  manifest    Scenario recorder writing MANIFEST fragments, and merging them
  resolve     what a PATH means: `tfckpt resolve --json`, and its rule C in
              Python (standard library only)
"""

__all__ = ["hashing", "tensors", "checkpoint", "manifest", "env", "resolve"]
MANIFEST_SCHEMA_VERSION = 1
