"""rnnlib.datasets: fetching, verifying, extracting and parsing data; synthetic series.

Unit tests build their own small .tgz and serve it from a mirror folder or a
real HTTP server on 127.0.0.1: nothing here contacts the internet. The tests
on the real ridership file run when RNNLIB_DATA_MIRROR names a folder holding
ridership.tgz (CI sets it; on CI, a missing mirror is a failure, not a skip).
"""
import csv
import hashlib
import http.server
import io
import os
import socket
import tarfile
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rnnlib import datasets
from rnnlib.datasets import DataError, extract, fetch, read_ridership_csv

REAL_MIRROR = os.environ.get("RNNLIB_DATA_MIRROR")  # read before the fixture below clears it
ON_CI = os.environ.get("CI", "").lower() == "true"

HEADER = "service_date,day_type,bus,rail_boardings,total_rides\n"
# Out of order, with two rows repeated exactly.
ROWS = [
    "01/02/2001,W,780827,501952,1282779\n",
    "01/01/2001,U,297192,126455,423647\n",
    "01/02/2001,W,780827,501952,1282779\n",
    "01/03/2001,W,824923,536432,1361355\n",
    "01/01/2001,U,297192,126455,423647\n",
]
MEMBER = "small/daily.csv"
NAME = "small.tgz"
UNUSED_URL = "http://127.0.0.1:9/never-contacted.tgz"


def make_tgz(files, symlinks=()):
    """A .tgz (bytes) holding ``files`` {name: bytes} and ``symlinks`` [(name, target)]."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in symlinks:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return buffer.getvalue()


GOOD = make_tgz({MEMBER: (HEADER + "".join(ROWS)).encode()})
GOOD_SHA = hashlib.sha256(GOOD).hexdigest()


def sha(data):
    return hashlib.sha256(data).hexdigest()


def files_in(folder):
    return sorted(p.relative_to(folder).as_posix() for p in Path(folder).rglob("*"))


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """No ambient mirror, cache dir or proxy: each test says what it uses."""
    for var in ("RNNLIB_DATA_MIRROR", "RNNLIB_CACHE_DIR", "RNNLIB_GRADER_DATA", "http_proxy", "HTTP_PROXY",
                "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def make_mirror(tmp_path, data):
    mirror = tmp_path / "mirror"
    mirror.mkdir(exist_ok=True)
    (mirror / NAME).write_bytes(data)
    return mirror


# --- fetch + parse through a mirror folder ------------------------------------

def test_fetch_from_mirror_extract_and_parse(tmp_path, cache):
    mirror = make_mirror(tmp_path, GOOD)
    archive = fetch(NAME, UNUSED_URL, GOOD_SHA, cache_dir=cache, mirror=mirror)
    assert archive == cache / NAME and archive.read_bytes() == GOOD
    df = read_ridership_csv(extract(archive, MEMBER))
    expected = pd.DataFrame(
        {"day_type": ["U", "W", "W"], "bus": [297192, 780827, 824923],
         "rail": [126455, 501952, 536432]},
        index=pd.DatetimeIndex(["2001-01-01", "2001-01-02", "2001-01-03"], name="date"))
    pd.testing.assert_frame_equal(df, expected, check_dtype=False, check_index_type=False)
    assert pd.api.types.is_integer_dtype(df["bus"]) and pd.api.types.is_integer_dtype(df["rail"])
    assert files_in(cache) == sorted([NAME, "small", MEMBER])  # no temporary files left


def test_valid_cache_is_used_without_the_mirror(tmp_path, cache):
    fetch(NAME, UNUSED_URL, GOOD_SHA, cache_dir=cache, mirror=make_mirror(tmp_path, GOOD))
    empty = tmp_path / "empty"
    empty.mkdir()
    assert fetch(NAME, UNUSED_URL, GOOD_SHA, cache_dir=cache, mirror=empty).read_bytes() == GOOD


def test_mirror_and_cache_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLIB_DATA_MIRROR", str(make_mirror(tmp_path, GOOD)))
    monkeypatch.setenv("RNNLIB_CACHE_DIR", str(tmp_path / "env-cache"))
    assert fetch(NAME, UNUSED_URL, GOOD_SHA) == tmp_path / "env-cache" / NAME


def test_the_graders_copy_comes_first_whatever_a_notebook_sets(tmp_path, monkeypatch):
    """While graded, a notebook whose cell pointed RNNLIB_DATA_MIRROR and
    RNNLIB_CACHE_DIR at folders of the student's computer still finds the data:
    the grader lends its kernels a read-only copy (RNNLIB_GRADER_DATA)."""
    mirror = tmp_path / "grader-data"
    mirror.mkdir()
    (mirror / "ridership.tgz").write_bytes(GOOD)
    os.chmod(mirror, 0o555)  # read-only, as in the jail
    monkeypatch.setattr(datasets, "RIDERSHIP_SHA256", GOOD_SHA)
    monkeypatch.setattr(datasets, "RIDERSHIP_CSV", MEMBER)
    monkeypatch.setattr(datasets, "RIDERSHIP_URL", UNUSED_URL)
    monkeypatch.setenv("RNNLIB_DATA_MIRROR", str(tmp_path / "on-my-laptop"))
    monkeypatch.setenv("RNNLIB_CACHE_DIR", str(tmp_path / "my-cache"))
    with pytest.raises(DataError, match="on-my-laptop"):
        datasets.load_ridership()  # what the student's settings alone give
    monkeypatch.setenv("RNNLIB_GRADER_DATA", str(mirror))
    df = datasets.load_ridership()
    assert list(df["bus"]) == [297192, 780827, 824923]
    assert sorted(os.listdir(mirror)) == ["ridership.tgz"]  # nothing written beside it
    # a copy whose checksum is wrong is passed over
    os.chmod(mirror, 0o755)
    (mirror / "ridership.tgz").write_bytes(GOOD[:-10])
    with pytest.raises(DataError, match="on-my-laptop"):
        datasets.load_ridership()


def test_default_cache_dir_is_under_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert datasets.get_cache_dir() == tmp_path / ".cache" / "rnnlib"
    assert (tmp_path / ".cache" / "rnnlib").is_dir()


def test_checksum_mismatch_raises_and_leaves_nothing(tmp_path, cache):
    mirror = make_mirror(tmp_path, GOOD)
    with pytest.raises(DataError, match=r"(?s)truncated or corrupt.*expected " + sha(b"x")):
        fetch(NAME, UNUSED_URL, sha(b"x"), cache_dir=cache, mirror=mirror)
    assert files_in(cache) == []


def test_truncated_mirror_file_explains_the_fix(tmp_path, cache):
    mirror = make_mirror(tmp_path, GOOD[: len(GOOD) // 2])
    with pytest.raises(DataError) as info:
        fetch(NAME, UNUSED_URL, GOOD_SHA, cache_dir=cache, mirror=mirror)
    message = str(info.value)
    assert str(mirror / NAME) in message and "truncated or corrupt" in message
    assert f"{len(GOOD) // 2} bytes" in message and f"fresh copy of {UNUSED_URL}" in message
    assert files_in(cache) == []


def test_missing_mirror_file_says_where_and_what(tmp_path, cache):
    mirror = tmp_path / "no-such-folder"
    with pytest.raises(DataError) as info:
        fetch(NAME, UNUSED_URL, GOOD_SHA, cache_dir=cache, mirror=mirror)
    message = str(info.value)
    assert str(mirror) in message and NAME in message and "RNNLIB_DATA_MIRROR" in message
    assert files_in(cache) == []


def test_bad_cached_file_is_replaced(tmp_path, cache):
    cache.mkdir()
    (cache / NAME).write_bytes(GOOD[:-10])
    path = fetch(NAME, UNUSED_URL, GOOD_SHA, cache_dir=cache, mirror=make_mirror(tmp_path, GOOD))
    assert path.read_bytes() == GOOD


def test_bad_cached_file_is_removed_even_if_refetch_fails(tmp_path, cache):
    cache.mkdir()
    (cache / NAME).write_bytes(b"junk")
    with pytest.raises(DataError):
        fetch(NAME, UNUSED_URL, GOOD_SHA, cache_dir=cache, mirror=tmp_path)
    assert files_in(cache) == []


# --- extraction -----------------------------------------------------------------

@pytest.mark.parametrize("files, symlinks", [
    ({MEMBER: b"a,b\n", "../evil.csv": b"pwned"}, ()),
    ({MEMBER: b"a,b\n", "/tmp/rnnlib-evil.csv": b"pwned"}, ()),
    ({MEMBER: b"a,b\n"}, [("small/link", "/etc/passwd")]),
    ({MEMBER: b"a,b\n"}, [("small/link", "daily.csv")]),
], ids=["dotdot", "absolute", "symlink-out", "symlink-in"])
def test_unsafe_archive_is_refused_and_removed(tmp_path, cache, files, symlinks):
    data = make_tgz(files, symlinks)
    archive = fetch(NAME, UNUSED_URL, sha(data), cache_dir=cache, mirror=make_mirror(tmp_path, data))
    with pytest.raises(DataError, match="refusing"):
        extract(archive, MEMBER)
    assert files_in(cache) == []
    assert not (tmp_path / "evil.csv").exists()


def test_corrupt_archive_with_matching_checksum_is_refused(tmp_path, cache):
    data = GOOD[: len(GOOD) // 2]  # a truncated gzip stream
    archive = fetch(NAME, UNUSED_URL, sha(data), cache_dir=cache, mirror=make_mirror(tmp_path, data))
    with pytest.raises(DataError, match="removed from the cache"):
        extract(archive, MEMBER)
    assert files_in(cache) == []


def test_archive_without_the_member_is_refused(tmp_path, cache):
    data = make_tgz({"other.csv": b"a\n"})
    archive = fetch(NAME, UNUSED_URL, sha(data), cache_dir=cache, mirror=make_mirror(tmp_path, data))
    with pytest.raises(DataError, match="no member 'small/daily.csv'"):
        extract(archive, MEMBER)


def test_missing_csv_is_extracted_again(tmp_path, cache):
    archive = fetch(NAME, UNUSED_URL, GOOD_SHA, cache_dir=cache, mirror=make_mirror(tmp_path, GOOD))
    csv_path = extract(archive, MEMBER)
    csv_path.unlink()
    assert extract(archive, MEMBER) == csv_path
    assert csv_path.read_text() == HEADER + "".join(ROWS)


def test_csv_with_wrong_columns_raises_data_error(tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("date,riders\n01/01/2001,5\n")
    with pytest.raises(DataError, match="not the CTA ridership CSV"):
        read_ridership_csv(path)


# --- the download path, against a real HTTP server on 127.0.0.1 ------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path not in self.server.routes:
            self.send_error(404, "Not Found")
            return
        body, sent = self.server.routes[self.path]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[:sent])  # sent < len(body): the connection drops early

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.routes = {"/good.tgz": (GOOD, len(GOOD)),
                    "/truncated.tgz": (GOOD, len(GOOD) // 3),
                    "/garbage.tgz": (b"<html>not an archive</html>", 27)}
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_download_extract_and_parse(server, cache):
    archive = fetch(NAME, f"{server}/good.tgz", GOOD_SHA, cache_dir=cache)
    assert archive.read_bytes() == GOOD
    assert len(read_ridership_csv(extract(archive, MEMBER))) == 3
    assert files_in(cache) == sorted([NAME, "small", MEMBER])


def test_truncated_download_raises_and_leaves_nothing(server, cache):
    with pytest.raises(DataError, match=f"cut short: got {len(GOOD) // 3} of {len(GOOD)} bytes"):
        fetch(NAME, f"{server}/truncated.tgz", GOOD_SHA, cache_dir=cache)
    assert files_in(cache) == []


def test_http_404_raises_and_suggests_a_mirror(server, cache):
    with pytest.raises(DataError, match=r"(?s)HTTP 404.*RNNLIB_DATA_MIRROR"):
        fetch(NAME, f"{server}/missing.tgz", GOOD_SHA, cache_dir=cache)
    assert files_in(cache) == []


def test_wrong_content_from_server_raises(server, cache):
    with pytest.raises(DataError, match=r"(?s)truncated or corrupt.*RNNLIB_DATA_MIRROR"):
        fetch(NAME, f"{server}/garbage.tgz", GOOD_SHA, cache_dir=cache)
    assert files_in(cache) == []


def test_unreachable_server_says_check_the_network(cache):
    with socket.socket() as sock:  # find a free port, then close it: nobody listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DataError, match=r"(?s)Check your network.*RNNLIB_DATA_MIRROR"):
        fetch(NAME, f"http://127.0.0.1:{port}/x.tgz", GOOD_SHA, cache_dir=cache, timeout=5)
    assert files_in(cache) == []


def _closed_port():
    with socket.socket() as sock:  # find a free port, then close it: nobody listens
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """load_ridership() with no network (its URL points at a closed local port), no
    mirror and an empty cache folder named by RNNLIB_CACHE_DIR; returns that folder."""
    cache = tmp_path / "student-cache"
    monkeypatch.setenv("RNNLIB_CACHE_DIR", str(cache))
    monkeypatch.setattr(datasets, "RIDERSHIP_URL", f"http://127.0.0.1:{_closed_port()}/ridership.tgz")
    return cache


def test_offline_error_says_where_to_put_the_file_in_two_lines(offline):
    with pytest.raises(DataError) as info:
        datasets.load_ridership()
    lines = str(info.value).splitlines()
    assert len(lines) == 2, lines
    assert "Check your network" in lines[0]
    where = lines[1]
    assert f"ridership.tgz (a copy of {datasets.RIDERSHIP_URL}) in {offline}" in where
    assert "RNNLIB_DATA_MIRROR" in where and "before starting JupyterLab" in where
    # No chained urllib/socket traceback under it.
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert files_in(offline) == []


def test_offline_error_in_a_notebook_is_the_message_alone(offline):
    """IPython (a notebook's kernel) shows the error as its two lines, no traceback."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    try:
        with capture_output() as captured:
            result = shell.run_cell("import rnnlib.datasets\nrnnlib.datasets.load_ridership()")
    finally:
        InteractiveShell.clear_instance()
    assert isinstance(result.error_in_exec, DataError)
    shown = [line for line in captured.stdout.splitlines() + captured.stderr.splitlines()
             if line.strip()]
    assert len(shown) == 2, shown
    assert shown[0].startswith("DataError: downloading http://127.0.0.1:")
    assert "Traceback" not in captured.stdout and "urllib" not in captured.stdout
    assert str(offline) in shown[1] and "RNNLIB_DATA_MIRROR" in shown[1]


def test_offline_with_the_file_in_the_cache_folder_works(offline, monkeypatch):
    """What the message says works: the file copied into the cache folder is used."""
    cache = offline
    cache.mkdir(parents=True)
    (cache / NAME).write_bytes(GOOD)
    archive = fetch(NAME, datasets.RIDERSHIP_URL, GOOD_SHA)  # no network: the cached copy
    assert archive == cache / NAME and len(read_ridership_csv(extract(archive, MEMBER))) == 3


# --- the real ridership file (needs RNNLIB_DATA_MIRROR) ---------------------------

def real_mirror():
    """The folder holding the real ridership.tgz; skip without it, but fail on CI."""
    if REAL_MIRROR:
        return Path(REAL_MIRROR)
    reason = "RNNLIB_DATA_MIRROR is not set: point it at a folder holding ridership.tgz"
    if ON_CI:
        pytest.fail(f"CI=true but {reason} (.ci/run sets it to ../shared/data)")
    pytest.skip(reason)


def test_real_ridership(tmp_path):
    df = datasets.load_ridership(cache_dir=tmp_path, mirror=real_mirror())
    assert list(df.columns) == ["day_type", "bus", "rail"]
    assert isinstance(df.index, pd.DatetimeIndex) and df.index.name == "date"
    assert df.index.is_monotonic_increasing and df.index.is_unique
    assert len(df) == 7639
    assert df.index[0] == pd.Timestamp("2001-01-01") and df.index[-1] == pd.Timestamp("2021-11-30")
    assert pd.api.types.is_integer_dtype(df["bus"]) and pd.api.types.is_integer_dtype(df["rail"])
    assert set(df["day_type"]) == {"W", "A", "U"}
    # Independent reference: the raw CSV read with the csv module.
    with open(tmp_path / datasets.RIDERSHIP_CSV, newline="") as f:
        raw = list(csv.reader(f))[1:]
    unique = set(map(tuple, raw))
    assert len(raw) - len(unique) == 62 and len(unique) == len(df)
    assert df["bus"].sum() == sum(int(row[2]) for row in unique)
    assert df["rail"].sum() == sum(int(row[3]) for row in unique)
    assert all(int(r[2]) + int(r[3]) == int(r[4]) for r in raw)  # total_rides is redundant


def test_real_mirror_checksum_is_verified(tmp_path):
    mirror = real_mirror()
    data = (mirror / "ridership.tgz").read_bytes()
    assert sha(data) == datasets.RIDERSHIP_SHA256
    cache = tmp_path / "cache"
    with pytest.raises(DataError, match="truncated or corrupt"):
        fetch("ridership.tgz", datasets.RIDERSHIP_URL, "0" * 64, cache_dir=cache, mirror=mirror)
    assert files_in(cache) == []
    # A truncated copy of the real file is refused by load_ridership itself.
    bad_mirror = tmp_path / "bad"
    bad_mirror.mkdir()
    (bad_mirror / "ridership.tgz").write_bytes(data[:-100])
    with pytest.raises(DataError, match="truncated or corrupt"):
        datasets.load_ridership(cache_dir=cache, mirror=bad_mirror)
    assert files_in(cache) == []


# --- synthetic series ---------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch_size, n_steps", [(1, 50), (7, 3), (64, 200)])
def test_generator_shape_and_dtype(batch_size, n_steps, dtype):
    X = datasets.generate_time_series(batch_size, n_steps, seed=0, dtype=dtype)
    assert X.shape == (batch_size, n_steps, 1) and X.dtype == dtype


def test_generator_is_deterministic_per_seed():
    a = datasets.generate_time_series(16, seed=42)
    np.testing.assert_array_equal(a, datasets.generate_time_series(16, seed=42))
    assert not np.allclose(a, datasets.generate_time_series(16, seed=43))
    assert not np.allclose(a[0], a[1])  # series in a batch differ too


def test_generator_values_are_bounded_and_smooth():
    n_steps = 50
    X = datasets.generate_time_series(2000, n_steps, seed=1, dtype=np.float64)[..., 0]
    assert np.all(np.abs(X) <= 0.5 + 0.2 + 0.05)
    # Slopes are at most 0.5*20 + 0.2*40 = 18 per unit time; noise moves at most 0.1.
    assert np.all(np.abs(np.diff(X, axis=1)) <= 18 / (n_steps - 1) + 0.1)
    assert np.abs(X).max() > 0.5  # the waves are really there, not just noise


@pytest.mark.parametrize("kwargs, error, words", [
    ({"batch_size": 0}, ValueError, "batch_size must be a positive integer, got 0"),
    ({"batch_size": 2, "n_steps": 2.5}, ValueError, "n_steps must be a positive integer"),
    ({"batch_size": 2, "dtype": np.int32}, TypeError, "dtype must be float32 or float64"),
])
def test_generator_rejects_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        datasets.generate_time_series(**kwargs)
