"""The hub's authenticator: the roster's people, their passwords (``passwords``), in Chinese.

- Login: 学号 and password. There is no first-use window: an account whose password nobody has
  set has a random initial password, handed out on paper.
- An initial password opens the account only together with a new password: the login page
  then asks for it (twice) and the initial password is void from then on.
- ``/hub/auth/change-password`` asks for the current password before setting a new one.
- A login session remembers its account's password version (a signed cookie) and is checked
  again every :data:`REFRESH_SECONDS`: after ``crmlab hub --reset-password`` or a change of
  password elsewhere, older sessions have to log in again.
"""

from __future__ import annotations

from pathlib import Path

from jupyterhub.auth import Authenticator
from jupyterhub.handlers import BaseHandler
from jupyterhub.handlers.login import LoginHandler
from tornado import web
from traitlets import Integer, Unicode

from crmlab.commands.hub.passwords import MIN_LENGTH, PasswordStore, problem_with

WRONG_PASSWORD = "学号或密码不对。忘记密码请找老师重置。"
SET_NEW_PASSWORD = "这是初始密码：请再设置一个你自己的新密码（输入两次），然后登录。"
VERSION_COOKIE = "crmlab-password-version"
REFRESH_SECONDS = 5


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


class ChangePasswordHandler(BaseHandler):
    """``/hub/auth/change-password``: current password, new password twice."""

    async def _page(self, **result) -> None:
        self.finish(await self.render_template("reset.html", **result))

    @web.authenticated
    async def get(self):
        await self._page()

    @web.authenticated
    async def post(self):
        user = self.current_user
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
        version = authenticator.store.change(user.name, new)
        authenticator.remember_version(self, version)
        await self._page(result=True, alert="success", result_message="密码已修改，下次登录请用新密码。")


class CrmlabAuthenticator(Authenticator):
    """The roster's people with the passwords of :class:`PasswordStore`."""

    state_dir = Unicode(help="The hub's state folder (passwords.json).").tag(config=True)
    min_password_length = Integer(MIN_LENGTH, help="Shortest password a person may choose.").tag(
        config=True)

    @property
    def store(self) -> PasswordStore:
        return PasswordStore(Path(self.state_dir))

    def remember_version(self, handler, version: int) -> None:
        handler._set_cookie(VERSION_COOKIE, str(version), encrypted=True,
                            path=handler.hub.base_url)

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
            version = self.store.change(login, new)
            self.log.info("%s replaced their initial password", login)
        else:
            version = account.version
        self.remember_version(handler, version)
        return login

    async def refresh_user(self, user, handler=None):
        """Whether the session logged in with the account's current password."""
        if handler is None:
            return True
        account = self.store.account(user.name)
        seen = handler.get_secure_cookie(VERSION_COOKIE)
        if account is None or account.must_change or seen is None:
            return False
        return seen.decode("ascii", "replace") == str(account.version)

    def get_handlers(self, app):
        return [(r"/login", ChineseLoginHandler), (r"/auth/change-password", ChangePasswordHandler)]
