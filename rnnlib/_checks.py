"""Argument checks shared by every module: clear errors that name the argument.

Every public function in rnnlib validates its inputs with these helpers, so a
student who passes ``W_x`` transposed reads

    ValueError: W_x must have shape (n_inputs, n_neurons) = (3, 5), got (5, 3)

instead of a numpy broadcasting error three calls deeper.
"""
from __future__ import annotations

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


def as_float_array(name, value, ndim=None, dtype=None):
    """Return ``value`` as a float32/float64 ndarray, or raise a clear error.

    Python scalars and lists become float64 (or ``dtype`` when given). An
    integer or boolean *array* is accepted and converted; a complex, object or
    string array raises ``TypeError`` naming ``name``.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a numeric array, got {type(value).__name__}")
    arr = np.asarray(value)
    if arr.dtype.kind in "iub":
        arr = arr.astype(dtype or np.float64)
    elif arr.dtype.kind != "f" or arr.dtype.type not in FLOAT_DTYPES:
        raise TypeError(
            f"{name} must have a float32 or float64 dtype, got {arr.dtype}"
        )
    elif dtype is not None and arr.dtype != dtype:
        arr = arr.astype(dtype)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(
            f"{name} must be a {ndim}-D array, got {arr.ndim}-D with shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def check_shape(name, arr, expected, names):
    """Raise ``ValueError`` unless ``arr.shape == expected``.

    ``names`` spells out the expected shape symbolically, e.g.
    ``"(n_inputs, n_neurons)"``, so the message teaches as well as complains.
    """
    expected = tuple(int(e) for e in expected)
    if arr.shape != expected:
        hint = ""
        if arr.ndim == 2 and arr.shape[::-1] == expected and expected[0] != expected[1]:
            hint = f": did you transpose {name}?"
        raise ValueError(
            f"{name} must have shape {names} = {expected}, got {arr.shape}{hint}"
        )
    return arr


def common_dtype(*arrays):
    """float32 when every array is float32, else float64 (numpy's promotion)."""
    return np.result_type(*arrays)
