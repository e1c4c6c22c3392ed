"""The hub's authenticator: the roster's people, their passwords (``passwords``), in Chinese.

- Login: 学号 and password. There is no first-use window: an account whose password nobody has
  set has a random initial password, handed out on paper.
- An initial password opens the account only together with a new password: the login page
  then asks for it (twice) and the initial password is void from then on.
- ``/hub/auth/change-password`` asks for the current password before setting a new one.
- A change of password, and ``crmlab hub --reset-password`` (through ``/hub/auth/end-sessions``,
  open to the ``crmlab-hub`` service only), end every login session of the account: JupyterHub
  finds a login cookie's user by the user's ``cookie_id``, which is replaced.
"""

from __future__ import annotations

from pathlib import Path

from jupyterhub import orm
from jupyterhub.apihandlers.base import APIHandler
from jupyterhub.auth import Authenticator
from jupyterhub.handlers import BaseHandler
from jupyterhub.handlers.login import LoginHandler, LogoutHandler
from jupyterhub.utils import new_token
from traitlets import Integer, Unicode

from crmlab.commands.hub.passwords import MIN_LENGTH, PasswordStore, problem_with

WRONG_PASSWORD = "学号或密码不对。忘记密码请找老师重置。"
SET_NEW_PASSWORD = "这是初始密码：请再设置一个你自己的新密码（输入两次），然后登录。"
SERVICE = "crmlab-hub"
"""The JupyterHub service ``crmlab hub`` itself calls the API as (jupyterhub_config.py)."""


def end_sessions(handler: BaseHandler, user) -> None:
    """Log ``user`` out everywhere: every login cookie they hold stops matching."""
    user.orm_user.cookie_id = new_token()
    handler.db.commit()


class ChineseLoginHandler(LoginHandler):
    """JupyterHub's login page, with Chinese messages and the new-password fields of a first
    login."""

    custom_login_error = ""
    new_password_required = False

    def _render(self, login_error=None, username=None, **kwargs):
        if self.custom_login_error:
            login_error = self.custom_login_error
        elif login_error == "Invalid username or password":
            login_error = WRONG_PASSWORD
        return super()._render(login_error, username,
                               new_password_required=self.new_password_required, **kwargs)


class ChineseLogoutHandler(LogoutHandler):
    """Logging out ends on the course's page saying so (JupyterHub goes straight back to the
    login page unless it logs people in automatically)."""

    async def render_logout_page(self):
        self.finish(await self.render_template("logout.html"))


class ChangePasswordHandler(BaseHandler):
    """``/hub/auth/change-password``: current password, new password twice."""

    async def _page(self, **result) -> None:
        self.finish(await self.render_template("reset.html", **result))

    async def get(self):
        if self.current_user is None:
            return self.redirect(self.get_login_url())
        await self._page()

    async def post(self):
        user = self.current_user
        if user is None:
            return self.redirect(self.get_login_url())
        current = self.get_body_argument("current_password", "", strip=False)
        new = self.get_body_argument("password", "", strip=False)
        repeated = self.get_body_argument("password_repeat", "", strip=False)
        authenticator = self.authenticator
        if authenticator.store.check(user.name, current) is None:
            problem = "原来的密码不对。"
        else:
            problem = problem_with(new, repeated, current, authenticator.min_password_length)
        if problem:
            await self._page(result=True, alert="danger", result_message=problem)
            return
        authenticator.store.change(user.name, new)
        end_sessions(self, user)
        self.set_login_cookie(user)  # this session goes on; the others end
        await self._page(result=True, alert="success", result_message="密码已修改，下次登录请用新密码。")


class EndSessionsHandler(APIHandler):
    """``POST /hub/auth/end-sessions/<name>``: the crmlab-hub service ends a user's sessions."""

    def post(self, name):
        caller = self.current_user
        user = self.find_user(name)
        if not (isinstance(caller, orm.Service) and caller.name == SERVICE):
            self.set_status(403)
        elif user is None:
            self.set_status(404)
        else:
            end_sessions(self, user)
            self.set_status(204)
        self.finish()


class CrmlabAuthenticator(Authenticator):
    """The roster's people with the passwords of :class:`PasswordStore`."""

    state_dir = Unicode(help="The hub's state folder (passwords.json).").tag(config=True)
    min_password_length = Integer(MIN_LENGTH, help="Shortest password a person may choose.").tag(
        config=True)

    @property
    def store(self) -> PasswordStore:
        return PasswordStore(Path(self.state_dir))

    async def authenticate(self, handler, data):
        login = self.normalize_username(data.get("username", ""))
        password = data.get("password", "")
        account = self.store.check(login, password)
        if account is None:
            return None
        if account.must_change:
            new, repeated = data.get("new_password", ""), data.get("new_password_repeat", "")
            handler.new_password_required = True
            if not new and not repeated:
                handler.custom_login_error = SET_NEW_PASSWORD
                return None
            problem = problem_with(new, repeated, password, self.min_password_length)
            if problem:
                handler.custom_login_error = problem
                return None
            self.store.change(login, new)
            self.log.info("%s replaced their initial password", login)
        return login

    def get_handlers(self, app):
        return [(r"/login", ChineseLoginHandler), (r"/logout", ChineseLogoutHandler),
                (r"/auth/change-password", ChangePasswordHandler),
                (r"/auth/end-sessions/([^/]+)", EndSessionsHandler)]
