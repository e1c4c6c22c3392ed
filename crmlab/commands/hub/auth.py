"""The first-use authenticator (TLJH's default) with its messages in Chinese.

``jupyterhub-firstuseauthenticator`` writes its messages in English and has no setting for
them; this subclass gives the same checks Chinese words. The pages themselves are the
course's templates (``templates/``, named in ``jupyterhub_config.py``).
"""

from __future__ import annotations

from firstuseauthenticator import FirstUseAuthenticator
from firstuseauthenticator.firstuseauthenticator import CustomLoginHandler, ResetPasswordHandler

WRONG_PASSWORD = "学号或密码不对。忘记密码请找老师重置。"


def too_short(length: int) -> str:
    return f"密码太短：请设置至少 {length} 位的密码。"


class ChineseLoginHandler(CustomLoginHandler):
    """JupyterHub's login page, with its one English message (a refused login) in Chinese."""

    def _render(self, login_error=None, username=None):
        if login_error == "Invalid username or password":
            login_error = WRONG_PASSWORD
        return super()._render(login_error, username)


class ChineseResetPasswordHandler(ResetPasswordHandler):
    """The change-password page (``/hub/auth/change-password``) answering in Chinese."""

    async def post(self):
        if self.current_user is None:  # the parent's post is @authenticated: refused there
            return await super().post()
        password = self.get_body_argument("password", strip=False)
        changed = self.authenticator.change_password(self.current_user.name, password)
        self._register_template_path()
        html = await self.render_template(
            "reset.html", result=True, alert="success" if changed else "danger",
            result_message="密码已修改，下次登录请用新密码。" if changed
            else too_short(self.authenticator.min_password_length))
        self.finish(html)


class CrmlabAuthenticator(FirstUseAuthenticator):
    """Same rules as FirstUseAuthenticator (the password typed at first login becomes the
    password; later logins must match it), Chinese messages."""

    async def authenticate(self, handler, data):
        username = await super().authenticate(handler, data)
        if getattr(handler, "custom_login_error", ""):  # the only one it sets: too short
            handler.custom_login_error = too_short(self.min_password_length)
        return username

    def change_password(self, username: str, password: str) -> bool:
        """Set a logged-in user's new password; False when it is too short."""
        if not self._validate_password(password):
            return False
        super().reset_password(username, password)
        return True

    def get_handlers(self, app):
        return [(r"/login", ChineseLoginHandler),
                (r"/auth/change-password", ChineseResetPasswordHandler)]
