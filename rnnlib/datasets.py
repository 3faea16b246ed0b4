"""Chapter 6 data: the Chicago ridership series and a synthetic sine-wave series.

The real data comes from one archive, downloaded once into a cache folder:

* cache folder: ``cache_dir=`` argument, else ``$RNNLIB_CACHE_DIR``, else
  ``~/.cache/rnnlib``;
* mirror: ``mirror=`` argument, else ``$RNNLIB_DATA_MIRROR``, names a local
  folder holding the archive. When a mirror is given the network is never
  used, so CI (and offline classrooms) cannot silently depend on GitHub;
* every file that enters the cache is written to a temporary file first,
  checked against its sha256, then renamed into place (an atomic step), so an
  interrupted or corrupt fetch never leaves a bad file behind. Every failure
  raises :class:`DataError` saying what happened and how to fix it.

pandas is imported inside :func:`read_ridership_csv`: ``import rnnlib`` stays light.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

RIDERSHIP_URL = "https://github.com/ageron/data/raw/main/ridership.tgz"

# The course's periods of the ridership series, defined here once and used by
# chapters 6 and 7, rnnlib.forecasting and the SARIMA baseline's default history:
# {name: (first day, last day)}, end dates included; None = the data's last day.
PERIODS = {
    "train": ("2016-01-01", "2018-12-31"),
    "valid": ("2019-01-01", "2019-05-31"),
    "test": ("2019-06-01", None),
}
# Chapter 8 chooses its models' settings without looking at the validation period:
# on an inner split of the training years, the same months one year earlier
# (train on 2016-2017, validate on January-May 2018). The test period is not used.
INNER_PERIODS = {
    "train": ("2016-01-01", "2017-12-31"),
    "valid": ("2018-01-01", "2018-05-31"),
}
# One-day forecasts of the validation period are scored from this day on in chapter 6:
# January and February are the history that the first SARIMA model is fitted on.
SCORED_FROM = "2019-03-01"
RIDERSHIP_SHA256 = "0ff99f3dddd886ddea161b68f25f90b56b0468f5c91949b75376fb494516c794"
RIDERSHIP_CSV = "ridership/CTA_-_Ridership_-_Daily_Boarding_Totals.csv"
# The second line of every download error: where to put the file to work offline.
MIRROR_HINT = ("put {name} (a copy of {url}) in {cache}, or set RNNLIB_DATA_MIRROR to "
               "a folder holding it before starting JupyterLab")


class DataError(RuntimeError):
    """A data file could not be fetched, verified, extracted or parsed.

    The message says what happened and what to do. In a notebook it is shown alone,
    without the traceback of this module's internals (IPython calls
    ``_render_traceback_``): the student's fix is in the message, not in our code.
    """

    def _render_traceback_(self):
        return [f"{type(self).__name__}: {self}"]


def get_cache_dir(cache_dir=None) -> Path:
    """The cache folder (created): argument, else $RNNLIB_CACHE_DIR, else ~/.cache/rnnlib."""
    path = cache_dir or os.environ.get("RNNLIB_CACHE_DIR") or "~/.cache/rnnlib"
    path = Path(path).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sha256(path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _download(url, out, timeout, hint):
    """Stream ``url`` into the open file ``out``; a short body is an error."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            expected = response.headers.get("Content-Length")
            shutil.copyfileobj(response, out)
    # `from None`: the message says it all; the urllib traceback would bury it.
    except urllib.error.HTTPError as e:
        raise DataError(f"downloading {url} failed: HTTP {e.code} {e.reason}. "
                        f"Check the URL, or work offline:\n{hint}.") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as e:  # timeout...
        reason = e.reason if isinstance(e, urllib.error.URLError) else e
        raise DataError(f"downloading {url} failed ({reason}). Check your network "
                        f"connection (or proxy), or work offline:\n{hint}.") from None
    if expected is not None and out.tell() != int(expected):
        raise DataError(f"downloading {url} was cut short: got {out.tell()} of "
                        f"{expected} bytes. Retry, or work offline:\n{hint}.")


def fetch(filename, url, sha256, cache_dir=None, mirror=None, timeout=60) -> Path:
    """Return the path of ``filename`` in the cache, fetching it if needed.

    A cached copy is used only if its sha256 matches; a wrong one is deleted
    and fetched again. The file is copied from ``mirror/filename`` when a mirror
    is given (argument or $RNNLIB_DATA_MIRROR), else downloaded from ``url``.
    It lands in a temporary file in the cache, is verified, then renamed into
    place; on any failure the temporary file is removed and DataError raised.
    """
    cache = get_cache_dir(cache_dir)
    target = cache / filename
    if target.exists():
        if _sha256(target) == sha256:
            return target
        target.unlink()  # stale or corrupt: fetch a fresh copy
    mirror = mirror or os.environ.get("RNNLIB_DATA_MIRROR")
    hint = MIRROR_HINT.format(name=filename, url=url, cache=cache)
    fd, tmp = tempfile.mkstemp(dir=cache, prefix=f".{filename}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            if mirror:
                source = Path(mirror).expanduser() / filename
                if not source.is_file():
                    raise DataError(f"the data mirror {mirror} (RNNLIB_DATA_MIRROR or "
                                    f"mirror=) has no {filename}. Copy {url} there, or "
                                    f"unset RNNLIB_DATA_MIRROR to download it.")
                with open(source, "rb") as src:
                    shutil.copyfileobj(src, out)
            else:
                _download(url, out, timeout, hint)
        actual = _sha256(tmp)
        if actual != sha256:
            origin = source if mirror else url
            raise DataError(
                f"{origin} is truncated or corrupt: sha256 {actual} of "
                f"{os.path.getsize(tmp)} bytes, expected {sha256}. Replace it with a "
                f"fresh copy of {url}" + ("." if mirror else f", or work offline:\n{hint}."))
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def extract(archive, member, dest=None) -> Path:
    """Extract ``member`` of the .tgz ``archive`` to ``dest/member``, unless it exists.

    Safety: the whole archive is checked first; only plain files and folders with
    relative paths free of ``..`` are accepted (tarfile's ``filter="data"`` checks
    again). It is unpacked into a temporary folder and ``member`` renamed into
    place, so a failure leaves nothing half-written. A bad archive is deleted.
    """
    archive = Path(archive)
    dest = Path(dest) if dest is not None else archive.parent
    target = dest / member
    if target.is_file():
        return target
    tmp = tempfile.mkdtemp(dir=dest, prefix=".extract.")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for info in tar.getmembers():
                if not (info.isfile() or info.isdir()):
                    raise tarfile.TarError(f"{info.name!r} is a link or special file")
                if info.name.startswith("/") or ".." in Path(info.name).parts:
                    raise tarfile.TarError(f"{info.name!r} points outside the folder")
            tar.extractall(tmp, filter="data")
        if not (Path(tmp) / member).is_file():
            raise tarfile.TarError(f"it has no member {member!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(Path(tmp) / member, target)
    except (tarfile.TarError, EOFError, OSError) as e:
        archive.unlink(missing_ok=True)
        raise DataError(f"refusing {archive}: {e}. It was removed from the cache; "
                        f"fetch it again (check RNNLIB_DATA_MIRROR if you use one).") from e
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def read_ridership_csv(path):
    """Parse the CTA daily-boardings CSV into the DataFrame of :func:`load_ridership`."""
    import pandas as pd

    names = {"service_date": "date", "day_type": "day_type", "bus": "bus",
             "rail_boardings": "rail"}
    try:
        df = pd.read_csv(path, usecols=list(names), parse_dates=["service_date"],
                         date_format="%m/%d/%Y")
    except ValueError as e:  # missing columns, unparsable dates
        raise DataError(f"{path} is not the CTA ridership CSV ({e}); delete it.") from e
    df = df.rename(columns=names).drop_duplicates()
    return df.set_index("date").sort_index()[["day_type", "bus", "rail"]]


def load_ridership(cache_dir=None, mirror=None):
    """Chicago Transit Authority daily boardings, 2001-01-01 to 2021-11-30.

    Returns a DataFrame indexed by ``date`` (sorted DatetimeIndex) with columns
    ``day_type`` (W weekday, A Saturday, U Sunday/holiday), ``bus`` and ``rail``
    (integer boardings). The raw file repeats 62 rows exactly; they are dropped,
    leaving 7,639 days. ``total_rides`` is dropped too (it is ``bus + rail``).
    """
    graders = _graders_copy("ridership.tgz", RIDERSHIP_SHA256)
    if graders is not None and cache_dir is None and mirror is None:
        with tempfile.TemporaryDirectory(prefix="rnnlib-") as tmp:
            return read_ridership_csv(extract(graders, RIDERSHIP_CSV, dest=tmp))
    archive = fetch("ridership.tgz", RIDERSHIP_URL, RIDERSHIP_SHA256, cache_dir, mirror)
    return read_ridership_csv(extract(archive, RIDERSHIP_CSV))


def _graders_copy(filename, sha256):
    """The course data that the instructors' grader lends its kernels
    (``$RNNLIB_GRADER_DATA``, a read-only folder), when it holds ``filename``
    with the right checksum; else None. It comes first, so that a notebook
    whose cell points ``RNNLIB_DATA_MIRROR`` or ``RNNLIB_CACHE_DIR`` at a
    folder of the student's own computer still finds the data when graded."""
    folder = os.environ.get("RNNLIB_GRADER_DATA")
    path = Path(folder) / filename if folder else None
    if path is None or not path.is_file():
        return None
    return path if _sha256(path) == sha256 else None


def generate_time_series(batch_size, n_steps=50, seed=None, dtype=np.float32):
    """A batch of synthetic series, shape (batch_size, n_steps, 1).

    Each series is a slow wave plus a faster, smaller wave plus a little noise::

        x(t) = 0.5 sin((t - a1)(10 + 10 f1)) + 0.2 sin((t - a2)(20 + 20 f2)) + 0.1(u - 0.5)

    with ``t`` evenly spaced in [0, 1], offsets ``a1, a2`` and frequencies ``f1, f2``
    uniform in [0, 1) per series, and ``u`` uniform in [0, 1) per step, so
    |x| <= 0.75. The same ``seed`` gives the same batch.
    """
    for name, value in (("batch_size", batch_size), ("n_steps", n_steps)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {np.dtype(dtype)}")
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 1.0, n_steps)
    offset1, offset2, freq1, freq2 = rng.random((4, batch_size, 1))
    slow = 0.5 * np.sin((t - offset1) * (10 + 10 * freq1))
    fast = 0.2 * np.sin((t - offset2) * (20 + 20 * freq2))
    noise = 0.1 * (rng.random((batch_size, n_steps)) - 0.5)
    return (slow + fast + noise)[..., np.newaxis].astype(dtype)
