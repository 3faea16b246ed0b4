# JupyterHub's configuration for the course's local hub. hub/course_hub.py sets up
# the state folder (users, course, exchange, <state>/hub/hub.json) and starts
# `jupyterhub --config hub/jupyterhub_config.py` with RNN_HUB_* in the environment.
# instructor/hub.md explains the choices and what a real deployment adds (TLS, a
# real authenticator).
import json
import os
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub provides get_config)

REPO = Path(__file__).resolve().parent.parent
STATE = Path(os.environ["RNN_HUB_STATE"])
HUB = STATE / "hub"
SETTINGS = json.loads((HUB / "hub.json").read_text(encoding="utf-8"))

# Everything on 127.0.0.1: the public port (the proxy), the hub's own API and the
# proxy's API on free ports chosen by course_hub.py.
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ["RNN_HUB_PORT"])
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ["RNN_HUB_API_PORT"])
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['RNN_HUB_PROXY_API_PORT']}"
# The pinned proxy (hub/proxy/package-lock.json), installed by `make hub` with npm ci.
c.ConfigurableHTTPProxy.command = [
    str(REPO / "build-assets" / "configurable-http-proxy" / "node_modules" / ".bin"
        / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.debug = False

# The hub's own state: its SQLite database and cookie secret, root only.
c.JupyterHub.db_url = f"sqlite:///{HUB / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(HUB / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(HUB / "jupyterhub.pid")
# Stopping the hub stops every user's server and the proxy (the test checks that
# no process is left).
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# Log-in: the system accounts' passwords, through PAM (the hub runs as root).
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.service = "login"
c.Authenticator.allowed_users = set(SETTINGS["passwords"])
# No admin: the instructor is an nbgrader instructor, not the hub's administrator
# (an admin could open every student's server).
c.Authenticator.admin_users = set()

# Each user's server: a process running as that user, from the course's .venv.
VENV_BIN = Path(SETTINGS["python"]) / "bin"
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(VENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
# A loaded machine starts JupyterLab slowly.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.Spawner.environment = {
    "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
    "OPENBLAS_NUM_THREADS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "PYTHONHASHSEED": "0",
}


def _role(spawner):
    """The instructor's or the students' Jupyter configuration, read first by the server."""
    # Read before the .venv's own etc/jupyter (where the installed extensions enable
    # themselves): the role's folder decides which nbgrader extensions are on.
    spawner.environment["JUPYTER_CONFIG_PATH"] = SETTINGS["roles"][spawner.user.name]


c.Spawner.pre_spawn_hook = _role
