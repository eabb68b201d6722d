"""The password policy, pure: length 10 and three of the four character classes."""
import pytest

from app.rules.passwords import new_password, password_classes, password_problems


@pytest.mark.parametrize("password, problems", [
    ("Abcdefgh1!", []),                      # 10 characters, four classes
    ("abcdefgh12", ["too_few_classes"]),      # two classes
    ("abcdefgh-1", []),                       # lower, other, digit
    ("ABCDEFGH1-", []),
    ("Abc-12", ["too_short"]),
    ("abcdefghij", ["too_few_classes"]),
    ("", ["too_short", "too_few_classes"]),
    (None, ["too_short", "too_few_classes"]),
    ("密码密码密码密码a1", []),                  # CJK letters count as "other"
])
def test_problems(password, problems):
    assert password_problems(password) == problems


def test_classes():
    assert password_classes("aZ9 ") == {"lower", "upper", "digit", "other"}


def test_new_passwords_pass_the_policy():
    for _ in range(200):
        password = new_password()
        assert len(password) == 14 and password_problems(password) == []


def test_the_demo_and_test_passwords_pass_the_policy():
    from tests.support.databases import DEMO_PASSWORD

    assert password_problems(DEMO_PASSWORD) == []
