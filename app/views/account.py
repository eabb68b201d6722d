"""`POST /api/v1/account/password`: a logged-in user (JWT, or the browser session with its CSRF
token) changes their own password through the API, under the same policy as the web forms.

The change ends every token and browser session of the user (app/security/sessions.py),
the caller's tokens included: log in again with the new password. A wrong current password
counts as a failed login (a stolen token must not let anyone guess the password).
"""
from flask import current_app, request
from flask_appbuilder.api import BaseApi
from flask_appbuilder.views import expose
from flask_babel import gettext as _
from flask_jwt_extended import verify_jwt_in_request
from werkzeug.security import check_password_hash

from app.errors import DomainError
from app.security import logins


class AccountApi(BaseApi):
    resource_name = "account"
    openapi_spec_tag = "Account"

    @expose("/password", methods=["POST"])
    def password(self):
        """Change one's own password
        ---
        post:
          description: Change the caller's password; every token and session of the user ends.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    old_password: {type: string}
                    password: {type: string}
                  required: [old_password, password]
          responses:
            200: {description: changed}
            400: {$ref: '#/components/responses/400'}
            401: {$ref: '#/components/responses/401'}
        """
        verify_jwt_in_request(optional=True)
        sm = current_app.appbuilder.sm
        user = sm.current_user
        if user is None or not getattr(user, "is_authenticated", False):
            return self.response_401()
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in ("old_password", "password")):
            return self.response(400, message=_("请求体须为 JSON 对象，含 old_password 与 password 两个字符串。"))
        if logins.is_locked(user.id) or not check_password_hash(user.password, body["old_password"]):
            logins.count_failure(user.id)
            return self.response(400, message=_("当前密码不正确。"))
        try:
            sm.reset_password(user.id, body["password"])
        except DomainError as exc:
            return self.response(400, message=str(exc))
        return self.response(200, message=_("密码已修改；此账号的所有会话和令牌都已失效，请用新密码重新登录。"))
