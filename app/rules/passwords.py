"""The password policy: at least 10 characters, of at least 3 of the 4 classes (lower-case,
upper-case, digits, anything else). Pure: the CLI, the web forms and the API all ask here."""
from __future__ import annotations

import secrets

MIN_LENGTH = 10
MIN_CLASSES = 3
CLASSES = ("lower", "upper", "digit", "other")


def password_classes(password: str) -> set[str]:
    """Which of the four classes the password draws from."""
    found = set()
    for char in password:
        if char.islower():
            found.add("lower")
        elif char.isupper():
            found.add("upper")
        elif char.isdigit():
            found.add("digit")
        else:
            found.add("other")
    return found


def password_problems(password: str | None) -> list[str]:
    """What the password lacks: 'too_short', 'too_few_classes'; [] when it passes."""
    password = password or ""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append("too_short")
    if len(password_classes(password)) < MIN_CLASSES:
        problems.append("too_few_classes")
    return problems


def new_password(length: int = 14) -> str:
    """A random password that passes the policy (for accounts made without one)."""
    while True:
        candidate = secrets.token_urlsafe(length)[:length]
        if not password_problems(candidate):
            return candidate
