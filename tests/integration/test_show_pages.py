"""A user opens the first row of each of its lists: the show page answers 200 on every backend
(found by benchmarks/load.py on PostgreSQL: the show page's audit panel compared the integer
record id with the URL's text, which PostgreSQL refuses and SQLite allows)."""
import re

import pytest


@pytest.mark.parametrize("resource", ["activityview", "memberview", "trainingview", "branchview"])
def test_the_first_row_of_a_list_opens(login_as, resource):
    user = login_as("gb01")
    page = user.get(f"/{resource}/list/").text
    first = re.search(rf'href="(/{resource}/show/\d+)', page)
    assert first, resource
    assert user.get(first.group(1)).status_code == 200
