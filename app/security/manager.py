"""A thin SecurityManager: FAB does the work; zhibu adds the user's organization, the login
throttle on the API login too, and the account lockout (app/security/logins.py)."""
import logging

from flask import current_app, g, has_request_context
from flask_appbuilder.security.sqla.manager import SecurityManager
from werkzeug.security import check_password_hash

from app.security import logins, sessions
from app.security.passwords import check_password_policy, fab_password_validator
from app.security.users import ZhibuUserDBModelView

log = logging.getLogger(__name__)


class ZhibuSecurityManager(SecurityManager):
    """FAB's SQLA security manager; kept as the one place for security overrides."""

    userdbmodelview = ZhibuUserDBModelView
    # At most this many (role, permission, view) answers are remembered (the registered
    # permissions times the builtin roles are some 3,000).
    _BUILTIN_ANSWERS_MAX = 50_000

    def __init__(self, appbuilder):
        # FAB's user-add and reset-password forms (and its user API) call this validator
        current_app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"] = fab_password_validator
        super().__init__(appbuilder)
        self._builtin_answers: dict[tuple[str, str, str], bool] = {}

    def _has_access_builtin_roles(self, role, permission_name: str, view_name: str) -> bool:
        """FAB's answer, remembered: FAB_ROLES is fixed at start, and FAB tries every pattern of
        the role with re.match on every check (the navbar alone: some 3,300 per page)."""
        key = (role.name, permission_name, view_name)
        answer = self._builtin_answers.get(key)
        if answer is None:
            answer = super()._has_access_builtin_roles(role, permission_name, view_name)
            if len(self._builtin_answers) < self._BUILTIN_ANSWERS_MAX:
                self._builtin_answers[key] = answer
        return answer

    def add_user(self, username, first_name, last_name, email, role=None, password="", *args, **kwargs):
        """FAB's add_user, refusing a password outside the policy (InvalidValue)."""
        if password:
            check_password_policy(password)
        return super().add_user(username, first_name, last_name, email, role, password, *args, **kwargs)

    def reset_password(self, userid, password):
        """Every password change (own, by the operator, the CLI) meets the policy first."""
        check_password_policy(password)
        super().reset_password(userid, password)

    def create_login_manager(self, app):
        """FAB's login manager; each browser login also starts a server-side session."""
        from flask_login import user_logged_in

        # FAB passes current_app (a proxy); blinker matches the sender by identity
        user_logged_in.connect(sessions.start_web_session, current_app._get_current_object())
        return super().create_login_manager(app)

    def create_jwt_manager(self, app):
        """FAB's JWT manager; tokens carry the session version and die when it moves on."""
        jwt_manager = super().create_jwt_manager(app)
        jwt_manager.additional_claims_loader(sessions.token_claims)
        jwt_manager.token_in_blocklist_loader(sessions.token_revoked)
        return jwt_manager

    def load_user(self, pk):
        """The session cookie's user, only while its server-side session lives."""
        user = super().load_user(pk)
        if user is not None and has_request_context() and not sessions.web_session_alive(user.id):
            return None
        return user

    def load_user_jwt(self, _jwt_header, jwt_data):
        """The token's user (the token's version was checked by the blocklist loader)."""
        user = super().load_user(jwt_data["sub"])
        if user is not None and user.is_active:
            g.user = user
            return user
        return None

    def on_user_logout(self, user) -> None:
        sessions.end_web_session()

    def register_views(self):
        """FAB's views; FAB throttles only the web login, so the API login gets the same limit."""
        super().register_views()
        if self.is_auth_limited:
            from flask_appbuilder.security.api import SecurityApi

            for view in self.appbuilder.baseviews:
                if isinstance(view, SecurityApi):
                    self.limiter.limit(self.auth_rate_limit, methods=["POST"])(view.blueprint)

    def auth_user_db(self, username, password):
        """FAB's check, refused while the account is locked: the same None as a wrong password
        (the caller answers the same message and status), after the same password-hash work."""
        user = (self.find_user(username=username) or self.find_user(email=username)) if username else None
        if user is not None and logins.is_locked(user.id):
            check_password_hash(user.password or current_app.config["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"],
                                password or "")
            log.info("login refused: account %s is locked", username)
            return None
        return super().auth_user_db(username, password)

    def on_user_login_failed(self, user) -> None:
        logins.count_failure(user.id)

    def on_user_login(self, user) -> None:
        """Forget a cached organization when someone logs in on this request; reset the count."""
        g.pop("_zhibu_org", None)
        logins.clear_failures(user.id)
