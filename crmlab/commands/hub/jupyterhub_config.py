"""JupyterHub's configuration for ``crmlab hub`` (loaded with ``jupyterhub -f``).

Everything specific to one class (users, ports, limits) is in ``<root>/state/hub.json``, written by
``crmlab hub`` just before it starts JupyterHub with ``CRMLAB_HUB_ROOT=<root>``.
"""

import json
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - provided by traitlets when JupyterHub loads this file

root = Path(os.environ["CRMLAB_HUB_ROOT"])
state = root / "state"
settings = json.loads((state / "hub.json").read_text(encoding="utf-8"))
members = settings["members"]

# Where the hub listens (the address people open), and its private loopback ports.
https = bool(settings.get("ssl_cert"))
c.JupyterHub.bind_url = f"{'https' if https else 'http'}://{settings['ip']}:{settings['port']}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = [settings["proxy"]]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # Ctrl+C stops every server the hub started
c.JupyterHub.cleanup_proxy = True

# HTTPS: the school's certificate or one crmlab hub made; the proxy speaks TLS, cookies are
# sent over HTTPS only.
if https:
    c.JupyterHub.ssl_cert = settings["ssl_cert"]
    c.JupyterHub.ssl_key = settings["ssl_key"]
    c.JupyterHub.cookie_options = {"secure": True}

# Only the people on the roster, with the initial passwords crmlab hub handed out (no first-use
# window); a reset or a change of password ends the account's login sessions.
c.JupyterHub.authenticator_class = "crmlab.commands.hub.auth.CrmlabAuthenticator"
c.CrmlabAuthenticator.state_dir = str(state)
c.CrmlabAuthenticator.min_password_length = settings["min_password_length"]
c.Authenticator.allowed_users = set(members)
c.Authenticator.admin_users = set()  # teachers get the role below, not JupyterHub's admin
c.Authenticator.blocked_users = set(settings["blocked"])
c.Authenticator.allow_existing_users = False

# Roles: teachers see the class and start or stop servers, but open a student's server (and run
# with their cookies whatever page it serves) only with --teachers-can-open-servers.
# crmlab hub itself (--reset-password) ends sessions, revokes tokens and stops a server.
teachers = sorted(name for name, role in members.items() if role == "instructor")
teacher_scopes = ["admin-ui", "list:users", "read:users", "read:users:activity", "read:servers",
                  "servers"]
if settings.get("teachers_can_open_servers"):
    teacher_scopes.append("access:servers")
roles = [
    {"name": "crmlab-teacher", "description": "CRM Lab 教师", "scopes": teacher_scopes,
     "users": teachers},
    {"name": "crmlab-hub", "scopes": ["list:users", "read:users", "servers", "tokens"],
     "services": ["crmlab-hub"]},
]
services = [{"name": "crmlab-hub", "api_token": (state / "service-token").read_text().strip()}]

# The hub's own pages (login, home, starting, errors, 404, logout, change password, tokens,
# the admin page's labels) in Chinese: the course's templates extend JupyterHub's
# ("templates/page.html" is JupyterHub's own).
c.JupyterHub.template_paths = [str(Path(__file__).with_name("templates"))]
c.JupyterHub.template_vars = {"min_password_length": settings["min_password_length"]}

# One server per user, as the Unix account jupyter-<学号>, from the hub's environment.
c.JupyterHub.spawner_class = "crmlab.commands.hub.spawner.CrmlabSpawner"
c.CrmlabSpawner.roles = members
c.CrmlabSpawner.hub_root = str(root)
c.Spawner.cmd = [str(root / "env" / "bin" / "python"), "-m", "crmlab.commands.hub.singleuser"]
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab"
c.Spawner.mem_limit = settings["mem_limit"]
c.Spawner.cpu_limit = settings["cpu_limit"]
c.CrmlabSpawner.pids_limit = settings["pids_limit"]
c.CrmlabSpawner.cgroup_root = settings["cgroup_root"]
c.Spawner.http_timeout = 180  # a whole class starting at once on a small machine
c.Spawner.start_timeout = 240
c.Spawner.args = ["--ServerApp.terminals_enabled=True"]

# Idle servers are stopped (their files stay); the culler is a hub-managed service.
roles.append({
    "name": "crmlab-idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
})
services.append({
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                f"--timeout={settings['idle_timeout']}"],
    "environment": {"CRMLAB_HUB_ROOT": str(root)},  # found and stopped if a killed hub leaves it
})

c.JupyterHub.load_roles = roles
c.JupyterHub.services = services
