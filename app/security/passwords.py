"""The password policy (app/rules/passwords.py) as the app applies it: one translated message,
one check for services and the CLI, one validator for FAB's password forms."""
from flask import has_request_context
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import force_locale
from flask_babel import gettext as _

from app.errors import InvalidValue
from app.rules.passwords import MIN_CLASSES, MIN_LENGTH, password_classes, password_problems


def policy_message(password: str | None) -> str | None:
    """The sentence saying what the password lacks, or None when it passes."""
    problems = password_problems(password)
    if not problems:
        return None
    parts = []
    if "too_short" in problems:
        parts.append(_("密码至少需要 %(min)d 个字符（现为 %(n)d 个）。", min=MIN_LENGTH, n=len(password or "")))
    if "too_few_classes" in problems:
        parts.append(_("密码须包含小写字母、大写字母、数字、其他符号四类中的至少 %(min)d 类（现为 %(n)d 类）。",
                       min=MIN_CLASSES, n=len(password_classes(password or ""))))
    return " ".join(parts)


def check_password_policy(password: str | None) -> None:
    """Raise InvalidValue (HTTP 400, CLI exit 1) with the policy's sentence: in the request's
    language, or in Chinese and English on the command line."""
    message = policy_message(password)
    if not message:
        return
    if not has_request_context():
        with force_locale("en"):
            message = f"{message} / {policy_message(password)}"
    raise InvalidValue(message)


def fab_password_validator(password: str | None) -> None:
    """FAB_PASSWORD_COMPLEXITY_VALIDATOR: FAB's user-add and reset-password forms call it."""
    message = policy_message(password)
    if message:
        raise PasswordComplexityValidationError(message)
