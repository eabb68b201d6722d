"""Every menu page and one show page per model, as each role, in Chinese and English: no 5xx,
and no raw value (None, True/False, a Python repr, FAB's placeholders) where a user looks."""
import html
import re

import pytest

RAW = [
    (re.compile(r"(?<![\w.])None(?![\w.])"), "None"),
    (re.compile(r"(?<![\w.])(True|False)(?![\w.])"), "True/False"),
    (re.compile(r"object at 0x[0-9a-f]+"), "a Python repr"),
    (re.compile(r"__None"), "__None"),
    (re.compile(r"\[(general_branch|branch|committee|member|round|assessment)\]"), "a FAB placeholder"),
]
# in English, Chinese punctuation after a Latin word or a figure is a template's literal "：" or "（"
# that was never translated ("Total：Good 3，Fair 2")
CHINESE_PUNCTUATION = re.compile(r"[A-Za-z0-9)][：，（、；]")
ROLES = ["admin", "committee", "gb01", "gb01-b01"]
SHOW_LINK = re.compile(r'href="(/[a-z]+view/show/\d+)"')


def visible_text(page: str) -> str:
    """What a reader sees: no scripts, styles, tags or attribute values."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


def raw_values(page: str, lang: str = "zh") -> list[str]:
    text = visible_text(page)
    found = [what for pattern, what in RAW if pattern.search(text)]
    if lang == "en":
        found += [f"Chinese punctuation in English: {m.group(0)!r}" for m in CHINESE_PUNCTUATION.finditer(text)][:3]
    return found


def menu_urls(app) -> list[str]:
    urls = []
    with app.test_request_context():
        for item in app.appbuilder.menu.get_list():
            for child in item.childs or [item]:
                if child.name != "-" and child.get_url():
                    urls.append(child.get_url())
    return sorted(set(u for u in urls if u.startswith("/")))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_role_opens_is_clean(app, login_as, username, lang):
    user = login_as(username)
    if lang == "en":
        user.get("/lang/en")
    problems = []
    pages = ["/", "/notices/"] + menu_urls(app)   # the home makes the day's notices: the inbox has some
    shows = []
    for url in pages:
        response = user.get(url, follow_redirects=True)
        if response.status_code >= 500:
            problems.append(f"{url}: HTTP {response.status_code}")
            continue
        if response.status_code == 200 and response.mimetype == "text/html":
            problems += [f"{url}: {what}" for what in raw_values(response.text, lang)]
            shows += SHOW_LINK.findall(response.text)[:1]
    for url in sorted(set(shows)):
        response = user.get(url)
        if response.status_code >= 500:
            problems.append(f"{url}: HTTP {response.status_code}")
        elif response.status_code == 200:
            problems += [f"{url}: {what}" for what in raw_values(response.text, lang)]
    assert not problems, "\n".join(problems)
