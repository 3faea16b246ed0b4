"""The course on a local JupyterHub: set-up and start (``make hub``, tests/test_hub.py).

``python hub/course_hub.py --state DIR [--port 8000]`` (as root) sets up and starts
a JupyterHub for the course on 127.0.0.1, prints its URL and the accounts, and
runs until Ctrl-C. ``instructor/hub.md`` explains it; the decisions in short:

* **Accounts are real local users**, made with ``useradd`` and a random password
  (``chpasswd``): one instructor (``rnn-instructor``) and three students
  (``rnn-student1`` .. ``rnn-student3``). Each is marked with the GECOS comment
  ``ACCOUNT_MARK``; a user of that name without the mark is never touched (the
  set-up stops). Their homes are ``<state>/home/<user>``, mode 700, so no
  student reads another's work or the instructor's course folder.
* **Log-in is PAM** (JupyterHub's default authenticator, service ``login``): the
  password of the system account, checked by the hub running as root. Only the
  four accounts may log in (``allowed_users``).
* **Each user's server is a local process** (LocalProcessSpawner) running as that
  user: the course's ``.venv`` (its ``jupyterhub-singleuser``, JupyterLab,
  nbgrader), home as the root folder, ``/lab`` first. When the .venv's Python lies
  where other users may not pass (pyenv under /root, mode 700), the group
  ``rnn-course-hub`` of the four accounts gets passage only (an ACL entry ``x``)
  through those folders (:func:`_grant_passage`).
* **nbgrader's exchange** is ``<state>/exchange``, mode 777 (nbgrader's
  documentation: ``chmod ugo+rw``); nbgrader itself makes the course's
  ``inbound`` (write-only for students), ``outbound`` and ``feedback`` inside.
* **What each role sees** comes from a Jupyter configuration folder put first on
  the user's ``JUPYTER_CONFIG_PATH``: students get the student kit's set
  (``kit/jupyter/``: the Assignments tab and Validate, no formgrader, no Create
  Assignment); the instructor gets the formgrader too. Both have an
  ``nbgrader_config.py`` with the course id and the exchange; the instructor's
  also names the course folder.
* **The course folder** is ``<state>/home/rnn-instructor/rnn-course``, made by
  ``autograder init-course`` (the course's ``nbgrader_config.py``, ``solutions/``,
  ``exercises/``, its SQLite gradebook), owned by the instructor. The instructor
  releases, collects and releases feedback with nbgrader (the formgrader or the
  ``nbgrader`` command) and grades with ``autograder grade`` in a terminal of
  the hub, which runs each student's kernel in its jail.
* **The hub's own files** (its SQLite database, cookie secret, the accounts
  file with the passwords, mode 600) are in ``<state>/hub``, root only.

Run again with the same state folder, the set-up keeps the course folder and the
exchange (grades and submissions survive a restart) and gives new passwords.
"""
from __future__ import annotations

import argparse
import grp
import json
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HUB_DIR = REPO / "hub"
VENV_BIN = REPO / ".venv" / "bin"
KIT_JUPYTER = REPO / "kit" / "jupyter"
CHP = REPO / "build-assets" / "configurable-http-proxy" / "node_modules" / ".bin" / "configurable-http-proxy"

COURSE_ID = "rnn-course"
INSTRUCTOR = "rnn-instructor"
STUDENTS = ("rnn-student1", "rnn-student2", "rnn-student3")
ACCOUNT_MARK = "rnn-course hub account"
HUB_GROUP = "rnn-course-hub"  # the four accounts: passage to the course's Python
COURSE_FOLDER_NAME = "rnn-course"

# Server extensions. Students: the kit's (kit/jupyter/jupyter_server_config.json).
INSTRUCTOR_EXTENSIONS = {
    "nbgrader.server_extensions.formgrader": True,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.assignment_list": True,
    "nbgrader.server_extensions.validate_assignment": True,
}
# The course list needs a hub service and nbgrader's JupyterHubAuthPlugin; with one
# course it only repeats the Assignments tab, so nobody gets it.
INSTRUCTOR_PAGE_CONFIG = {
    "disabledExtensions": {"@jupyter/nbgrader:course-list": True},
    "buildCheck": False,
    "buildAvailable": False,
}


class SetupError(RuntimeError):
    pass


def _run(cmd, **kwargs):
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise SetupError(f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n"
                         f"{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return result


def _traversable_by_all(path):
    """Every folder from / down to ``path`` lets other users through (o+x)."""
    for folder in [path, *path.parents]:
        if not folder.stat().st_mode & stat.S_IXOTH:
            return folder
    return None


def _ensure_user(name, home):
    """Create the system user ``name`` with home ``home``, or take over our own old one."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        _run(["useradd", "--no-create-home", "--home-dir", str(home), "--shell", "/bin/bash",
              "--user-group", "--groups", HUB_GROUP, "--comment", ACCOUNT_MARK, name])
    else:
        if entry.pw_gecos != ACCOUNT_MARK:
            raise SetupError(f"a user {name!r} exists and was not made by this set-up (its comment "
                             f"is {entry.pw_gecos!r}, not {ACCOUNT_MARK!r}): nothing was changed")
        _run(["usermod", "--append", "--groups", HUB_GROUP, name])
        if Path(entry.pw_dir) != home:
            try:
                _run(["usermod", "--home", str(home), name])
            except SetupError as exc:
                raise SetupError(f"{exc}\n(is another hub of the course still running? its users' "
                                 "servers must stop before the accounts move to a new state "
                                 "folder)") from None
    entry = pwd.getpwnam(name)
    home.mkdir(parents=True, exist_ok=True)
    os.chown(home, entry.pw_uid, entry.pw_gid)
    os.chmod(home, 0o700)
    # Never a question whether to fetch Jupyter's news (a toast over the notebook).
    settings = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    if not (settings / "notification.jupyterlab-settings").exists():
        _write(settings / "notification.jupyterlab-settings",
               json.dumps({"fetchNews": "false"}) + "\n")
        _chown_tree(home / ".jupyter", entry)
    password = secrets.token_urlsafe(12)
    _run(["chpasswd"], input=f"{name}:{password}\n")
    return entry, password


def _chown_tree(path, entry):
    for folder, dirs, files in os.walk(path):
        os.chown(folder, entry.pw_uid, entry.pw_gid)
        for name in files:
            os.chown(os.path.join(folder, name), entry.pw_uid, entry.pw_gid, follow_symlinks=False)


def _write(path, text, mode=0o644):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)


def _nbgrader_config(exchange, role, course=None):
    lines = [
        f"# {role}'s nbgrader settings on the course's hub (written by hub/course_hub.py).",
        "c = get_config()  # noqa: F821",
        f"c.CourseDirectory.course_id = {COURSE_ID!r}",
        f"c.Exchange.root = {str(exchange)!r}",
    ]
    if course is not None:
        lines += [
            "# The course folder (autograder init-course): the formgrader and `nbgrader`",
            "# commands work on it from any folder; its own nbgrader_config.py is read too.",
            f"c.CourseDirectory.root = {str(course)!r}",
        ]
    lines += [
        "# As in the student kit: failure messages shown whole.",
        "c.Validator.width = 300",
    ]
    return "\n".join(lines) + "\n"


def _role_configs(state, exchange, course):
    """<state>/jupyter/{student,instructor}: what each role's server reads first."""
    roles = {}
    for role in ("student", "instructor"):
        folder = state / "jupyter" / role
        if folder.exists():
            shutil.rmtree(folder)
        (folder / "labconfig").mkdir(parents=True)
        if role == "student":
            server = json.loads((KIT_JUPYTER / "jupyter_server_config.json").read_text())
            page = json.loads((KIT_JUPYTER / "labconfig" / "page_config.json").read_text())
            nbconfig = _nbgrader_config(exchange, "A student")
        else:
            server = json.loads((KIT_JUPYTER / "jupyter_server_config.json").read_text())
            server["ServerApp"]["jpserver_extensions"] = dict(INSTRUCTOR_EXTENSIONS)
            page = INSTRUCTOR_PAGE_CONFIG
            nbconfig = _nbgrader_config(exchange, "The instructor", course)
        _write(folder / "jupyter_server_config.json", json.dumps(server, indent=2) + "\n")
        _write(folder / "labconfig" / "page_config.json", json.dumps(page, indent=2) + "\n")
        _write(folder / "nbgrader_config.py", nbconfig)
        for sub in [folder, *folder.rglob("*")]:
            if sub.is_dir():
                os.chmod(sub, 0o755)
        roles[role] = folder
    os.chmod(state / "jupyter", 0o755)
    return roles


ACL_XATTR = "system.posix_acl_access"


def _acl(folder, gid):
    """A POSIX access ACL (Linux's xattr format) for ``folder``: its mode, plus
    passage (x, neither listing nor reading) for the group ``gid``."""
    import struct

    mode = folder.stat().st_mode
    entries = [(0x01, (mode >> 6) & 7, 0xFFFFFFFF),   # owner
               (0x04, (mode >> 3) & 7, 0xFFFFFFFF),   # owning group
               (0x08, 1, gid),                        # the hub's users: x
               (0x10, ((mode >> 3) & 7) | 1, 0xFFFFFFFF),  # mask
               (0x20, mode & 7, 0xFFFFFFFF)]          # others
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in entries)


def _acl_allows(acl, gid):
    """Whether the ACL (xattr bytes) gives the group ``gid`` passage (x, within the mask)."""
    import struct

    entries = [struct.unpack_from("<HHI", acl, offset) for offset in range(4, len(acl), 8)]
    mask = next((perm for tag, perm, _ in entries if tag == 0x10), 7)
    return any(tag == 0x08 and ident == gid and perm & mask & 1 for tag, perm, ident in entries)


def _grant_passage(path, gid):
    """Let the group ``gid`` pass through every folder above ``path`` that others may not.

    The course's .venv is made from whichever Python 3.11 ran ``make``; under pyenv
    that one is in /root (mode 700), where the hub's users cannot reach it. Each such
    folder gets an ACL entry giving the hub's group passage only (x): its files stay
    unlisted and keep their own permissions. Returns the folders changed.
    """
    changed = []
    for folder in reversed(Path(path).parents):
        if folder.stat().st_mode & stat.S_IXOTH:
            continue
        try:
            current = os.getxattr(folder, ACL_XATTR)
        except OSError:
            current = None
        if current is not None and _acl_allows(current, gid):
            continue
        wanted = _acl(folder, gid)
        if current is not None:
            raise SetupError(f"{folder} has an ACL already and the hub's users cannot pass through "
                             f"it: give them passage (setfacl -m g:{HUB_GROUP}:x {folder}) and run "
                             "again")
        try:
            os.setxattr(folder, ACL_XATTR, wanted)
        except OSError as exc:
            raise SetupError(f"the hub's users cannot reach the course's Python under {folder} "
                             f"(mode {stat.S_IMODE(folder.stat().st_mode):o}), and its file system "
                             f"takes no ACL ({exc}): make the course's .venv with a Python that "
                             "every user may run (e.g. make PYTHON=/usr/bin/python3.11)") from None
        changed.append(str(folder))
    return changed


def _check_python(user):
    """The user can run the course's Python and import what their server needs."""
    check = subprocess.run(["runuser", "-u", user, "--", str(VENV_BIN / "python"), "-c",
                            "import jupyterhub, nbgrader, jupyterlab, rnnlib"],
                           capture_output=True, text=True, cwd="/")
    if check.returncode != 0:
        raise SetupError(f"{user} cannot run the course's Python ({VENV_BIN / 'python'}):\n"
                         f"{check.stderr[-2000:]}")


def setup(state, assignments=None):
    """Set up the hub's accounts, course, exchange and configuration under ``state``.

    Returns the settings the hub's configuration reads (also written to
    ``<state>/hub/hub.json``, with the passwords, mode 600).
    """
    if os.geteuid() != 0:
        raise SetupError(
            "the hub's set-up runs as root: it creates the system users (useradd, chpasswd) and "
            "the hub then starts each user's server as that user. Run `sudo make hub`, or on a "
            "machine where that is not possible use The Littlest JupyterHub (instructor/hub.md).")
    state = Path(state).resolve()
    if state == REPO or REPO in state.parents or state in REPO.parents:
        raise SetupError(f"the state folder {state} is inside the repository (or holds it): the "
                         "course folder and grades must live elsewhere, e.g. /var/lib/rnn-course-hub")
    for tool in ("useradd", "usermod", "groupadd", "chpasswd"):
        if shutil.which(tool) is None:
            raise SetupError(f"{tool} not found (Debian: apt-get install passwd)")
    if not CHP.exists():
        raise SetupError(f"{CHP} is missing: `make hub` installs configurable-http-proxy (npm ci)")
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o755)
    closed = _traversable_by_all(state)
    if closed is not None:
        raise SetupError(f"{closed} does not let other users through (mode o+x): the hub's users "
                         "must reach their homes under the state folder (choose another one)")
    for tool in ("runuser",):
        if shutil.which(tool) is None:
            raise SetupError(f"{tool} not found (Debian: apt-get install util-linux)")
    (state / "home").mkdir(exist_ok=True)
    os.chmod(state / "home", 0o755)
    hub = state / "hub"
    hub.mkdir(exist_ok=True)
    os.chmod(hub, 0o700)

    _run(["groupadd", "--force", HUB_GROUP])
    accounts = {}
    entries = {}
    for name in (INSTRUCTOR, *STUDENTS):
        entries[name], accounts[name] = _ensure_user(name, state / "home" / name)

    # nbgrader's exchange: one folder every user can write to.
    exchange = state / "exchange"
    exchange.mkdir(exist_ok=True)
    os.chmod(exchange, 0o777)

    course = state / "home" / INSTRUCTOR / COURSE_FOLDER_NAME
    if not (course / "nbgrader_config.py").exists():
        cmd = [str(VENV_BIN / "autograder"), "init-course", str(course)]
        for assignment in assignments or ():
            cmd += ["--assignment", assignment]
        env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
        _run(cmd, env=env, cwd=state)
    _chown_tree(course, entries[INSTRUCTOR])
    os.chmod(course, 0o700)

    gid = grp.getgrnam(HUB_GROUP).gr_gid
    # The clone (the .venv, the editable rnnlib) and the Python the .venv was made from.
    passage = _grant_passage(VENV_BIN / "python", gid)
    passage += _grant_passage(Path(os.path.realpath(VENV_BIN / "python")), gid)
    _check_python(STUDENTS[0])
    roles = _role_configs(state, exchange, course)
    settings = {
        "state": str(state),
        "course": str(course),
        "exchange": str(exchange),
        "python": str(VENV_BIN.parent),
        "passage": passage,
        "instructor": INSTRUCTOR,
        "students": list(STUDENTS),
        "roles": {name: str(roles["instructor" if name == INSTRUCTOR else "student"])
                  for name in accounts},
        "passwords": accounts,
    }
    _write(hub / "hub.json", json.dumps(settings, indent=2) + "\n", mode=0o600)
    return settings


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hub_command(state, port):
    """The ``jupyterhub`` command line and environment for the hub of ``state``."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_CONFIG_DIR")}
    env.update(
        RNN_HUB_STATE=str(Path(state).resolve()),
        RNN_HUB_PORT=str(port),
        RNN_HUB_API_PORT=str(free_port()),
        RNN_HUB_PROXY_API_PORT=str(free_port()),
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    cmd = [str(VENV_BIN / "jupyterhub"), "--config", str(HUB_DIR / "jupyterhub_config.py")]
    return cmd, env


def accounts_text(settings, url):
    lines = [f"The course's JupyterHub: {url}", "", "accounts (system users; passwords are new "
             "at every start, also in " + str(Path(settings["state"]) / "hub" / "hub.json") + "):"]
    for name, password in settings["passwords"].items():
        role = "instructor (formgrader: Nbgrader > Formgrader)" if name == settings["instructor"] \
            else "student"
        lines.append(f"  {name:<16} {password:<20} {role}")
    lines += ["", f"course folder: {settings['course']}", f"exchange:      {settings['exchange']}",
              "Ctrl-C stops the hub and every user's server."]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Set up and start the course's JupyterHub on "
                                     "127.0.0.1 (as root; see instructor/hub.md).")
    parser.add_argument("--state", default="/var/lib/rnn-course-hub",
                        help="folder of the hub's users' homes, the exchange and the hub's database "
                        "(outside the repository; default %(default)s)")
    parser.add_argument("--port", type=int, default=8000, help="the hub's port on 127.0.0.1")
    parser.add_argument("--assignment", action="append", dest="assignments", metavar="ID",
                        help="only this assignment in a new course folder (default: all)")
    parser.add_argument("--setup-only", action="store_true", help="set up, do not start the hub")
    args = parser.parse_args(argv)
    try:
        settings = setup(args.state, args.assignments)
    except SetupError as exc:
        print(f"make hub: {exc}", file=sys.stderr)
        return 2
    url = f"http://127.0.0.1:{args.port}/"
    print(accounts_text(settings, url), flush=True)
    if args.setup_only:
        return 0
    cmd, env = hub_command(args.state, args.port)
    os.chdir(Path(settings["state"]) / "hub")
    os.execve(cmd[0], cmd, env)


if __name__ == "__main__":
    sys.exit(main())
