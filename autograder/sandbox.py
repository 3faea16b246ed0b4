"""The jail a student's kernel runs in.

Every kernel starts through ``_launch.py`` (resource limits, its own user id,
no process creation, clean environment). When bubblewrap works on the machine
(``bwrap``, Debian package ``bubblewrap``) the launcher itself runs inside it:

* the whole filesystem read-only, with the course folder, the gradebook,
  the grader's working folders, the reference solutions' repository,
  ``/root`` and ``/home`` replaced by empty folders (only the Python
  installation and ``rnnlib`` are put back, read-only);
* a private ``/tmp`` of limited size (the kernel's home), the student's files
  read-only, and one small writable folder for the kernel's sockets;
* no network (its own empty network namespace: the kernel talks to the
  grader through Unix sockets), its own process ids (when the kernel ends,
  everything it started ends) and no ``/proc`` view of other processes.

Without bubblewrap the limits, the user id (when the grader runs as root)
and the seccomp filter still apply, but the kernel can read every file its
user may read and use the network: :func:`describe` says so, and the
report repeats it.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

LAUNCHER = Path(__file__).resolve().with_name("_launch.py")
MIB = 1024 * 1024

_probe_cache: dict = {}


@dataclass
class Limits:
    """Per-kernel limits (``setrlimit``); each applies to the kernel process."""

    memory_mb: int = 4096        # address space (TensorFlow alone maps ~2.2 GB)
    cpu_seconds: int = 600       # CPU time of the whole notebook run
    processes: int = 256         # tasks of the kernel's user: threads count too
    file_size_mb: int = 64       # largest file the kernel may write
    open_files: int = 1024
    tmp_mb: int = 512            # size of the private /tmp (bubblewrap only)

    def rlimits(self):
        return {
            "AS": self.memory_mb * MIB,
            "CPU": self.cpu_seconds,
            "NPROC": self.processes,
            "FSIZE": self.file_size_mb * MIB,
            "NOFILE": self.open_files,
            "CORE": 0,
        }


@dataclass
class Jail:
    """How kernels are confined on this machine (decided once per run)."""

    limits: Limits = field(default_factory=Limits)
    bwrap: str | None = None          # path of a working bwrap, or None
    bwrap_problem: str = ""           # why bubblewrap is not used
    seccomp: bool = True
    own_user: bool = True             # run each kernel as a fresh user id (root only)
    uid_base: int = 200_000
    hide: list = field(default_factory=list)     # folders the kernel must not see
    expose: list = field(default_factory=list)   # read-only inside hidden folders
    env: dict = field(default_factory=dict)      # extra environment of the kernel
    data: str | None = None                      # the course's data ($RNNLIB_DATA_MIRROR)

    def describe(self):
        """One paragraph for the log and the report."""
        parts = [f"memory {self.limits.memory_mb} MB, CPU {self.limits.cpu_seconds} s, "
                 f"{self.limits.processes} tasks, files up to {self.limits.file_size_mb} MB"]
        parts.append("no process creation (seccomp)" if self.seccomp else "processes allowed")
        if self.bwrap:
            parts.append("bubblewrap: read-only filesystem, course and gradebook hidden, no network")
        else:
            parts.append(f"NO bubblewrap ({self.bwrap_problem}): the kernel can read what its "
                         "user can read, and use the network")
        if self.own_user and os.geteuid() == 0:
            parts.append("each kernel runs as its own unprivileged user id")
        return "; ".join(parts)


def probe_bwrap(bwrap="bwrap"):
    """``(path, problem)``: the bwrap to use, or None and why not."""
    if bwrap in _probe_cache:
        return _probe_cache[bwrap]
    path = shutil.which(bwrap)
    if path is None:
        result = (None, "bwrap is not installed (Debian: apt-get install bubblewrap)")
    else:
        try:
            run = subprocess.run(
                [path, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                 "--unshare-pid", "--unshare-net", "--unshare-ipc", "--die-with-parent",
                 "--", "/bin/sh", "-c", "exit 0"],
                capture_output=True, text=True, timeout=30)
            ok = run.returncode == 0
            result = (path, "") if ok else (None, f"bwrap does not work here: {run.stderr.strip()[:300]}")
        except (OSError, subprocess.TimeoutExpired) as exc:
            result = (None, f"bwrap does not work here: {exc}")
    _probe_cache[bwrap] = result
    return result


def make_jail(limits, use_bwrap="auto", hide=(), expose=(), env=None, seccomp=True, own_user=True,
              workdir=None):
    """A :class:`Jail` for this machine. ``use_bwrap``: "auto", "always" or
    "never"; ``workdir``: a folder for a readable copy of the course's data."""
    jail = Jail(limits=limits, seccomp=seccomp, own_user=own_user, env=dict(env or {}))
    jail.data = data_mirror(workdir)
    if use_bwrap == "never":
        jail.bwrap_problem = "switched off in the configuration"
    else:
        jail.bwrap, jail.bwrap_problem = probe_bwrap()
        if jail.bwrap is None and use_bwrap == "always":
            raise RuntimeError(f"RnnlibGrader.sandbox = 'always' but {jail.bwrap_problem}")
    jail.hide = _unique_paths([*hide, "/root", "/home", str(Path.home())])
    jail.expose = _unique_paths([*expose, *python_paths()])
    return jail


def python_paths():
    """What the kernel needs to read: the interpreter, its libraries, rnnlib,
    and the grader's kernel-side helper."""
    import rnnlib

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix,
             str(Path(sys.executable).resolve().parent.parent),
             str(Path(rnnlib.__file__).resolve().parent),
             str(Path(__file__).resolve().parent)}
    return sorted(paths)


def source_tree_of_rnnlib():
    """The folder holding rnnlib when it is a source checkout (an editable
    install): it holds the reference solutions, so kernels must not see it."""
    import rnnlib

    package = Path(rnnlib.__file__).resolve().parent
    if "site-packages" in package.parts or "dist-packages" in package.parts:
        return None
    return str(package.parent)


def _unique_paths(paths):
    out = []
    for p in paths:
        if not p:
            continue
        p = os.path.realpath(p)
        if p not in out:
            out.append(p)
    return out


def _under(path, parent):
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def kernel_command(jail, kernel_dir, workdir, connection_file, python=sys.executable):
    """The command that starts one kernel, after preparing ``kernel_dir``.

    ``kernel_dir`` (private to this kernel) receives ``ipc/`` (the kernel's
    sockets, its connection file and launch settings) and ``home/`` (used
    when there is no bubblewrap); ``workdir`` holds the student's files and
    becomes the kernel's working folder. Returns ``(argv, uid)``.
    """
    kernel_dir = Path(kernel_dir)
    ipc = kernel_dir / "ipc"
    ipc.mkdir(parents=True, exist_ok=True)
    is_root = os.geteuid() == 0
    uid = None
    if jail.own_user and is_root and (jail.bwrap or _world_readable(python)):
        uid = jail.uid_base + random.randrange(1 << 20)
    home = "/tmp/home" if jail.bwrap else str(kernel_dir / "home")
    if not jail.bwrap:
        Path(home).mkdir(exist_ok=True)

    with open(connection_file, encoding="utf-8") as f:
        connection = json.load(f)
    kernel_json = ipc / "kernel.json"
    kernel_json.write_text(json.dumps(connection), encoding="utf-8")
    os.chmod(kernel_json, 0o400)
    if uid is not None:
        for path in (ipc, kernel_json, *( [Path(home)] if not jail.bwrap else [])):
            os.chown(path, uid, uid)
    os.chmod(ipc, 0o700)

    env = {
        "PATH": os.pathsep.join([str(Path(python).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": home,
        "LANG": "C.UTF-8",
        "IPYTHONDIR": f"{home}/.ipython",
        "JUPYTER_RUNTIME_DIR": f"{home}/.runtime",
        "MPLCONFIGDIR": f"{home}/.matplotlib",
        "MPLBACKEND": "Agg",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "RNNLIB_CACHE_DIR": f"{home}/.cache/rnnlib",
        "NBGRADER_EXECUTION": "autograde",  # kernels only ever run for autograding
    }
    for name in ("PYTHONHASHSEED", "TZ"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    if jail.data:
        env["RNNLIB_DATA_MIRROR"] = jail.data
    env.update(jail.env)

    launch = {
        "rlimits": jail.limits.rlimits(),
        "uid": uid,
        "gid": uid,
        "seccomp": jail.seccomp,
        "mkdirs": [home, env["IPYTHONDIR"], env["JUPYTER_RUNTIME_DIR"]],
        "cwd": str(workdir),
        "env": env,
        "argv": [python, "-m", "ipykernel_launcher", "-f", str(kernel_json)],
    }
    launch_json = ipc / "launch.json"
    launch_json.write_text(json.dumps(launch), encoding="utf-8")
    os.chmod(launch_json, 0o600)  # read by the launcher while it is still root

    inner = [python, "-I", "-S", str(LAUNCHER), str(launch_json)]
    if not jail.bwrap:
        return inner, uid

    argv = [jail.bwrap, "--die-with-parent", "--unshare-pid", "--unshare-net",
            "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
            "--perms", "1777", "--size", str(jail.limits.tmp_mb * MIB), "--tmpfs", "/tmp"]
    hidden = [h for h in jail.hide if not _under(h, "/tmp") and os.path.lexists(h)]
    for path in hidden:
        if os.path.isdir(path):
            argv += ["--tmpfs", path]
        else:
            argv += ["--ro-bind", "/dev/null", path]
    fresh = [*[h for h in hidden if os.path.isdir(h)], "/tmp"]  # empty in the jail
    made = set()

    def bind(flag, path):
        # bubblewrap would create the missing folders above `path` as 0700,
        # which the kernel's user could not cross: create them 0711 first
        root = next((r for r in fresh if _under(path, r) and path != r), None)
        if root is not None:
            ancestors = []
            for parent in Path(path).parents:
                if str(parent) == root:
                    break
                ancestors.append(str(parent))
            for parent in reversed(ancestors):
                if parent not in made:
                    made.add(parent)
                    argv.extend(["--perms", "0711", "--dir", parent])
        argv.extend([flag, path, path])

    for path in jail.expose:
        if any(_under(path, h) for h in fresh) and os.path.exists(path):
            bind("--ro-bind", path)
    data = env.get("RNNLIB_DATA_MIRROR")
    if data and os.path.isdir(data):
        bind("--ro-bind", os.path.realpath(data))
    bind("--ro-bind", str(workdir))
    bind("--bind", str(ipc))
    argv += ["--chdir", str(workdir), "--clearenv", "--"]
    return argv + inner, uid


def data_mirror(workdir=None, max_bytes=500 * MIB):
    """Where kernels find the course's data without a network (read-only in
    the jail): the folder named by $RNNLIB_DATA_MIRROR, else the instructor's
    rnnlib data cache when it holds files. Files the kernel's user could not
    read are copied (readable) into ``workdir``/data first."""
    folder = os.environ.get("RNNLIB_DATA_MIRROR")
    if not folder:
        folder = os.path.expanduser(os.environ.get("RNNLIB_CACHE_DIR") or "~/.cache/rnnlib")
    if not os.path.isdir(folder):
        return None
    files = [p for p in Path(folder).iterdir() if p.is_file() and not p.is_symlink()]
    if not files:
        return None
    if all(p.stat().st_mode & 0o004 for p in files) and _world_readable(folder, itself=True):
        return os.path.realpath(folder)
    if workdir is None or sum(p.stat().st_size for p in files) > max_bytes:
        return None
    copy = Path(workdir) / "data"
    copy.mkdir(mode=0o755, exist_ok=True)
    for p in files:
        shutil.copyfile(p, copy / p.name)
        os.chmod(copy / p.name, 0o644)
    return str(copy)


def _world_readable(python, itself=False):
    """Can a user with no rights run ``python``? (every folder above it o+x)"""
    path = Path(python).resolve()
    for parent in ([path] if itself else []) + list(path.parents):
        try:
            if not os.stat(parent).st_mode & 0o001:
                return False
        except OSError:
            return False
    return True
