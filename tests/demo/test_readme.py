"""The README's demo accounts are the demo data's: every address it tells you to use exists, and
its table lists every account with its role."""

import re

from app.config import ROOT
from app.demo.data import ACCOUNTS

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def demo_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## Demo accounts", 1)[1].split("\n## ", 1)[0]


def test_every_address_the_readme_names_is_a_demo_account():
    known = {email for email, *_rest in ACCOUNTS}
    section = demo_section()
    named = set(EMAIL.findall(section))
    assert "petra@rivierenland.nl" in named  # the one it tells you to sign in as
    assert named - known == set()


def test_the_table_lists_every_demo_account_with_its_role():
    rows = re.findall(r"^\| (\S+@\S+) \| (\w+) \| (.+?) \|$", demo_section(), re.M)
    table = {email: (role, who) for email, role, who in rows}
    assert len(table) == len(rows)  # none twice
    expected = {email: (role.value, note) for email, _name, _org, role, note in ACCOUNTS}
    assert table == expected
