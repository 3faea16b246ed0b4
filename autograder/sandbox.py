"""The jail a student's kernel runs in.

Every kernel starts through ``_launch.py`` (resource limits, its own user id,
no process creation, clean environment). When bubblewrap works on the machine
(``bwrap``, Debian package ``bubblewrap``) the launcher itself runs inside it.

**An allow-list.** The jail starts from an empty root: only what a kernel
needs is put in it, at the same paths as on the host (:func:`allowed_paths`,
``Jail.describe()`` and ``autograder sandbox`` list them):

* read-only: the system's runtime folders ``/usr`` (``/bin``, ``/sbin``,
  ``/lib``, ``/lib64`` as on the host: usrmerge symlinks stay symlinks,
  real folders are bound), a few files of ``/etc`` (:data:`ETC_FILES`: the
  dynamic linker's cache and configuration, ``nsswitch.conf``, the time zone,
  fontconfig), a generated ``/etc/passwd`` and ``/etc/group`` naming only
  root and the kernel's user, the Python installation (``sys.base_prefix``:
  that version's folder only), the environment (``sys.prefix``: the venv
  only, never the repository around it), the ``rnnlib`` and ``autograder``
  package folders at their real paths (an editable install finds them
  there), the course's data mirror, the instructor's ``expose_paths``, and
  the student's own working folder (a copy of the submission's files);
* writable: a private ``/tmp`` and ``/dev/shm`` (tmpfs of ``tmp_mb`` MB
  each: memory, never the host disk; the kernel's home is ``/tmp/home``),
  and ``ipc/``, the kernel's socket folder (below);
* ``/dev`` (bubblewrap's minimal set of devices) and a ``/proc`` of the
  kernel's own process namespace.

Nothing else exists in the jail: the repository holding ``solutions/``,
``/root``, ``/home``, ``/srv``, ``/var``, ``/opt``, ``/mnt``, the rest of
``/etc``, the course and the gradebook are simply absent. A path from
``hide`` that lies inside an allowed folder is covered by an empty folder
(a file by ``/dev/null``). Also: no network (its own empty network
namespace: the kernel talks to the grader through Unix sockets), its own
process ids (when the kernel ends, everything it started ends).

**No writable host folder without a bound.** The only host folder the
kernel can write is ``ipc/``, where it must create its Unix sockets (the
grader connects to them by path). It is writable only while the kernel
starts, before any of the student's code can run: the kernel starts
through :data:`KERNEL_START`, which puts the working folder on ``sys.path``
only after the seal, and :func:`seal_ipc`, called by the grader as
soon as the five sockets exist and the kernel says it has finished with
the folder (ipykernel has read its connection file, which it leaves as it
is since it already holds the ports), gives the folder and everything in
it to the grader's user (mode 0700) and removes whatever is not a socket,
a connection file or one of the two markers. From then
on the kernel can write nothing there; until then only ipykernel runs, and
``RLIMIT_FSIZE`` bounds each file. The student's working folder is bound
read-only. So the kernel writes at most ``tmp_mb`` MB to each tmpfs (RAM)
and nothing to the host disk. When the grader does not run as root the
kernel keeps the grader's user id and could give itself the folder back
(``chmod``): that case is weaker, and ``describe`` says so.

Without bubblewrap the limits, the user id (when the grader runs as root),
the sealed ``ipc/`` folder and the seccomp filter still apply, but the
kernel can read every file its user may read, write its home folder on the
host disk, and use the network: :func:`describe` says so, and the report
repeats it.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

LAUNCHER = Path(__file__).resolve().with_name("_launch.py")
MIB = 1024 * 1024

#: The system's runtime folders, bound read-only (a symlink is recreated as a symlink).
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32")
#: The files of /etc a kernel needs (those that exist are bound read-only).
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/nsswitch.conf",
             "/etc/localtime", "/etc/timezone", "/etc/fonts")
#: What a kernel's socket folder may hold after :func:`seal_ipc` (besides the sockets).
IPC_FILES = ("kernel.json", "launch.json", "started", "sealed")

#: How a kernel starts (``python -c``): ipykernel, which says when it has
#: finished with its socket folder (``started``: its sockets are bound and
#: its connection file read) and then waits until :func:`seal_ipc` has
#: taken the folder back before its working folder (the student's files)
#: joins ``sys.path``. Until then nothing of the student's can run.
KERNEL_START = """\
import os, sys, time
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]
# What every course notebook and the grader's helper import first, loaded now:
# a kernel started ahead (``execute.Prestarted``) does it while the previous
# notebook is graded. Only the installed modules: the student's folder is not
# on sys.path yet, and nothing is bound in the notebook's namespace.
for _name in ("numpy", "rnnlib", "rnnlib.grading", "autograder.kernel_side", "autograder.wire"):
    try:
        __import__(_name)
    except Exception:
        pass
from ipykernel.kernelapp import IPKernelApp


class SealedStart(IPKernelApp):
    def init_path(self):
        ipc = os.path.dirname(self.abs_connection_file)
        with open(os.path.join(ipc, "started"), "w"):
            pass
        sealed = os.path.join(ipc, "sealed")
        while True:
            try:
                os.stat(sealed)
                break
            except PermissionError:  # the folder is the grader's now
                break
            except FileNotFoundError:
                time.sleep(0.01)
        super().init_path()


SealedStart.launch_instance()
"""

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
    hide: list = field(default_factory=list)     # covered when inside an allowed folder
    expose: list = field(default_factory=list)   # read-only in the jail (the allow-list)
    env: dict = field(default_factory=dict)      # extra environment of the kernel
    data: str | None = None                      # the course's data ($RNNLIB_DATA_MIRROR)
    # rnnlib as the kernel sees it (``shadow.build``): bound at rnnlib's real path
    rnnlib_view: str | None = None
    rnnlib_manifest: frozenset = frozenset()     # what its stubs may ask the grader for

    def describe(self):
        """One paragraph for the log and the report."""
        parts = [f"memory {self.limits.memory_mb} MB, CPU {self.limits.cpu_seconds} s, "
                 f"{self.limits.processes} tasks, files up to {self.limits.file_size_mb} MB"]
        parts.append("no process creation (seccomp)" if self.seccomp else "processes allowed")
        if self.bwrap:
            allowed = ", ".join(allowed_paths(self))
            parts.append(f"bubblewrap: nothing but {allowed} (read-only), the student's own files "
                         f"(read-only), a private /tmp and /dev/shm of {self.limits.tmp_mb} MB, "
                         "/dev, /proc, and a socket folder sealed before the student's code runs; "
                         "no network")
        else:
            parts.append(f"NO bubblewrap ({self.bwrap_problem}): the kernel can read what its "
                         "user can read, and use the network")
        if self.own_user and os.geteuid() == 0:
            parts.append("each kernel runs as its own unprivileged user id")
        else:
            parts.append("kernels run as the grader's user (not root): a kernel could make its "
                         "socket folder writable again")
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
    jail.expose = _unique_paths([*python_paths(), *expose])
    if jail.bwrap:
        from . import shadow

        folder = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="rnnlib-jail-"))
        folder.mkdir(parents=True, exist_ok=True)
        view, jail.rnnlib_manifest = shadow.build(folder / "rnnlib-view")
        jail.rnnlib_view = str(view)
    return jail


def _rnnlib_dir():
    import rnnlib

    return str(Path(rnnlib.__file__).resolve().parent)


def python_paths():
    """What the kernel needs to read: the interpreter's installation (that
    version's folder), the environment (the venv's folder only), rnnlib,
    and the grader's package (its kernel-side helper), at their real paths."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix,
             str(Path(sys.executable).resolve().parent.parent),
             _rnnlib_dir(),
             str(Path(__file__).resolve().parent)}
    return sorted(_unique_paths(paths))


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


def allowed_paths(jail):
    """What the jail holds read-only, besides the student's files, /tmp,
    /dev and /proc: the system's runtime folders, the needed /etc files,
    Python, the venv, rnnlib, the grader's package, the data, ``expose``."""
    out = [p for p in SYSTEM_DIRS if os.path.lexists(p)]
    out += [p for p in ETC_FILES if os.path.lexists(p)]
    out += ["/etc/passwd (generated)", "/etc/group (generated)"]
    out += [p for p in jail.expose if p not in out]
    if jail.data and jail.data not in out:
        out.append(jail.data)
    return out


def _passwd(uid):
    """A minimal /etc/passwd and /etc/group: root and the kernel's user."""
    users = [("root", 0, "/root"), ("student", uid, "/tmp/home")] if uid else [("root", 0, "/root")]
    passwd = "".join(f"{name}:x:{n}:{n}::{home}:/usr/sbin/nologin\n" for name, n, home in users)
    group = "".join(f"{name}:x:{n}:\n" for name, n, _ in users)
    return passwd, group


def bwrap_argv(jail, kernel_dir, workdir, ipc, uid):
    """bubblewrap's arguments (up to ``--``) for a kernel: the allow-list."""
    kernel_dir = Path(kernel_dir)
    argv = [jail.bwrap, "--die-with-parent", "--unshare-pid", "--unshare-net",
            "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    made = {"/"}

    def parents(path):
        # the folders above `path` (they hold only what is bound in them):
        # 0755, so that the kernel's user can cross them
        for parent in reversed(Path(path).parents):
            parent = str(parent)
            if parent not in made:
                made.add(parent)
                argv.extend(["--perms", "0755", "--dir", parent])

    def bind(flag, path, target=None):
        target = target or path
        parents(target)
        made.add(target)
        argv.extend([flag, path, target])

    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            argv.extend(["--symlink", os.readlink(path), path])
            made.add(path)
        elif os.path.isdir(path):
            bind("--ro-bind", path)
    for path in ETC_FILES:
        if os.path.exists(path):  # /etc/localtime is a symlink: its target is bound
            bind("--ro-bind", path)
    passwd, group = _passwd(uid if uid is not None else os.geteuid())
    for name, text in (("passwd", passwd), ("group", group)):
        (kernel_dir / name).write_text(text, encoding="utf-8")
        os.chmod(kernel_dir / name, 0o644)
        bind("--ro-bind", str(kernel_dir / name), f"/etc/{name}")
    argv += ["--dev", "/dev", "--proc", "/proc"]
    made.update(["/dev", "/proc", "/tmp", "/dev/shm"])
    size = str(jail.limits.tmp_mb * MIB)
    argv += ["--perms", "1777", "--size", size, "--tmpfs", "/tmp",
             "--perms", "1777", "--size", size, "--tmpfs", "/dev/shm"]
    present = [p for p in jail.expose if os.path.exists(p)]
    allowed = [p for p in present if not any(_under(p, a) and p != a for a in present)]
    rnnlib_dir = os.path.realpath(_rnnlib_dir())
    for path in sorted(set(allowed)):
        if path == rnnlib_dir and jail.rnnlib_view:
            bind("--ro-bind", jail.rnnlib_view, path)  # the copy without the answers
        else:
            bind("--ro-bind", path)
    if jail.data and os.path.isdir(jail.data):
        bind("--ro-bind", os.path.realpath(jail.data))
        allowed.append(os.path.realpath(jail.data))
    # a hidden path inside an allowed folder is covered
    for path in jail.hide:
        if any(_under(path, a) and path != a for a in allowed) and os.path.lexists(path):
            if os.path.isdir(path):
                argv += ["--tmpfs", path]
            else:
                argv += ["--ro-bind", "/dev/null", path]
    bind("--ro-bind", str(workdir))
    bind("--bind", str(ipc))
    argv += ["--chdir", str(workdir), "--clearenv", "--"]
    return argv


def kernel_command(jail, kernel_dir, workdir, connection_file, python=sys.executable):
    """The command that starts one kernel, after preparing ``kernel_dir``.

    ``kernel_dir`` (private to this kernel) receives ``ipc/`` (the kernel's
    sockets, its connection file and launch settings) and ``home/`` (used
    when there is no bubblewrap); ``workdir`` holds the student's files and
    becomes the kernel's working folder. Returns ``(argv, uid)``. Once the
    kernel has created its sockets, :func:`seal_ipc` takes ``ipc/`` back.
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
        "USER": "student",
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
        # read first by rnnlib.datasets, whatever a student's cell sets the other two to
        env["RNNLIB_GRADER_DATA"] = jail.data
    env.update(jail.env)

    launch = {
        "rlimits": jail.limits.rlimits(),
        "uid": uid,
        "gid": uid,
        "seccomp": jail.seccomp,
        "mkdirs": [home, env["IPYTHONDIR"], env["JUPYTER_RUNTIME_DIR"]],
        "cwd": str(workdir),
        "env": env,
        "argv": [python, "-c", KERNEL_START, "-f", str(kernel_json)],
    }
    launch_json = ipc / "launch.json"
    launch_json.write_text(json.dumps(launch), encoding="utf-8")
    os.chmod(launch_json, 0o600)  # read by the launcher while it is still root

    inner = [python, "-I", "-S", str(LAUNCHER), str(launch_json)]
    if not jail.bwrap:
        return inner, uid
    return bwrap_argv(jail, kernel_dir, workdir, ipc, uid) + inner, uid


def ipc_ready(kernel_dir, connection_info):
    """Has the kernel finished with its socket folder: its five sockets
    bound, its connection file read, and ``started`` written (see
    :data:`KERNEL_START`)?"""
    ip = connection_info["ip"]
    for name in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"):
        if not os.path.exists(f"{ip}-{connection_info[name]}"):
            return False
    return (Path(kernel_dir) / "ipc" / "started").is_file()


def seal_ipc(kernel_dir, connection_info):
    """Take the kernel's socket folder back: it and everything in it belong
    to the grader's user from now on (mode 0700), and whatever is neither a
    socket of this kernel nor a connection file is removed. Returns the
    names removed (a list of notes for the report)."""
    import stat

    ipc = Path(kernel_dir) / "ipc"
    ip = Path(connection_info["ip"])
    sockets = {f"{ip.name}-{connection_info[name]}" for name in
               ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")}
    uid, gid = os.geteuid(), os.getegid()
    if uid == 0:
        os.chown(ipc, uid, gid, follow_symlinks=False)
    os.chmod(ipc, 0o700)  # no sticky bit: the kernel's files below are ours to remove
    sealed = ipc / "sealed"  # the kernel's start waits for it (see KERNEL_START)
    removed = []
    for entry in os.scandir(ipc):
        mode = entry.stat(follow_symlinks=False).st_mode
        expected = (entry.name in sockets and stat.S_ISSOCK(mode)) or \
            (entry.name in IPC_FILES and stat.S_ISREG(mode))
        if not expected:
            removed.append(entry.name)
            if stat.S_ISDIR(mode):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
            continue
        if uid == 0:
            os.chown(entry.path, uid, gid, follow_symlinks=False)
        os.chmod(entry.path, 0o600)
    sealed.write_bytes(b"")
    os.chmod(sealed, 0o600)
    return removed


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
