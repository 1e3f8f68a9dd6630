"""Exceptions of tfckpt: every failure is a CheckpointError.

``code`` is the defect code `tfckpt validate` reports for the same file
(docs/VALIDATOR.md: ``TENSOR_CRC``, ``TRUNCATED``, ``NOT_FOUND``, ...) when the
failure is a defect of the files, else None (bad arguments, an unsupported
dtype...). ``status`` is the library's status code (``NOT_FOUND``,
``DATA_LOSS``, ``INVALID_ARGUMENT``, ...).
"""


class CheckpointError(Exception):
    def __init__(self, message, status="UNKNOWN", code=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    def __str__(self):
        return f"[{self.code}] {self.message}" if self.code else self.message


class NotFoundError(CheckpointError, FileNotFoundError):
    """The path names no checkpoint (also an OSError, like open())."""


class CorruptCheckpointError(CheckpointError):
    """The files are damaged: ``code`` says how."""


class InvalidArgumentError(CheckpointError, ValueError):
    """A bad argument: a dtype or name that cannot be written, a bad shape."""


def from_status(status, message, code=None):
    """The exception for a library Status (called by the C++ module)."""
    if code == "NOT_FOUND" or (status == "NOT_FOUND" and code is None):
        return NotFoundError(message, status, code)
    if code is not None:
        return CorruptCheckpointError(message, status, code)
    if status == "INVALID_ARGUMENT":
        return InvalidArgumentError(message, status, code)
    return CheckpointError(message, status, code)
