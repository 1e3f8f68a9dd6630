"""Environment set-up done before importing TensorFlow."""
import os


def configure():
    """Quiet TF's C++ logging and make CPU numerics reproducible.

    oneDNN custom ops may change floating-point results (TF says so at start
    up); the goldens are generated with them turned off.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    os.environ.setdefault("PYTHONHASHSEED", "0")


def import_tf():
    """configure() then import and return tensorflow with quiet Python logs."""
    configure()
    import tensorflow as tf  # noqa: WPS433
    tf.get_logger().setLevel("ERROR")
    try:
        from absl import logging as absl_logging
        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:  # pragma: no cover
        pass
    return tf


configure()
