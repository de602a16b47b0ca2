"""Every user-facing msgid has a Dutch translation in app/i18n/nl.po.

The msgids are collected at test time, so a string added anywhere fails here until it is
translated. Two sources:

- Babel's extractors, configured by babel.cfg (gettext-style calls in app/ and templates/);
- an AST walk over app/ for what Babel cannot see: the message of every DomainError
  (subclass) instance, the default messages of their __init__, and the values of the
  _MESSAGES / _HTTP_MESSAGES lookup tables (and the defaults passed to their .get()).

`make messages` runs this file; a failure lists ready-to-paste PO entries.
"""

import ast
import contextvars
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from app.i18n import set_locale, translate

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
CATALOG = APP / "i18n" / "nl.po"
BABEL_CFG = ROOT / "babel.cfg"

DOMAIN_BASE = "DomainError"
MESSAGE_TABLES = {"_MESSAGES", "_HTTP_MESSAGES"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
SKIP_DIRS = {"__pycache__", "node_modules"}

Msgid = str | tuple[str, str]  # a plain msgid, or (singular, plural) for ngettext


class Found:
    """Where each msgid is used, and whether it is always %-formatted (Jinja newstyle)."""

    def __init__(self) -> None:
        self.places: dict[Msgid, list[str]] = defaultdict(list)
        self.formatted: set[Msgid] = set()

    def add(self, msgid: Msgid, place: str, *, formatted: bool = False) -> None:
        self.places[msgid].append(place)
        if formatted:
            self.formatted.add(msgid)


# --- collecting msgids -------------------------------------------------------------------


def _babel_messages(found: Found) -> None:
    with BABEL_CFG.open() as handle:
        method_map, options_map = parse_mapping_cfg(handle, str(BABEL_CFG))

    def keep_dir(path: str) -> bool:
        name = Path(path).name
        # Babel's default filter also skips "_name" folders, which hides templates/_components.
        return not name.startswith(".") and name not in SKIP_DIRS

    # keywords={}: babel.cfg lists the keywords per mapping, so it stays the one source.
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords={}, directory_filter=keep_dir
    ):
        if isinstance(message, tuple):
            parts = tuple(part for part in message if part)
            message = parts if len(parts) > 1 else (parts[0] if parts else "")
        if message:
            found.add(message, f"{filename}:{lineno}", formatted=filename.startswith("templates/"))


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _text(node: ast.expr | None) -> str | None:
    """A string literal, or the first element of a tuple literal (message, code)."""
    if isinstance(node, ast.Tuple) and node.elts:
        node = node.elts[0]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _app_trees() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(APP.rglob("*.py")):
        if SKIP_DIRS.isdisjoint(path.parts):
            yield str(path.relative_to(ROOT)), ast.parse(path.read_text("utf-8"), str(path))


def _domain_classes(trees: list[tuple[str, ast.Module]]) -> set[str]:
    """DomainError and every class in app/ that derives from it (also under an import alias)."""
    bases: dict[str, set[str]] = defaultdict(set)
    aliases: dict[str, set[str]] = defaultdict(set)
    for _path, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases[node.name].update(filter(None, (_name(base) for base in node.bases)))
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.asname:
                        aliases[alias.name].add(alias.asname)
    domain = {DOMAIN_BASE}
    while True:
        more = {name for name, parents in bases.items() if parents & domain}
        more |= {alias for name in domain for alias in aliases[name]}
        if more <= domain:
            return domain
        domain |= more


def _ast_messages(found: Found, untranslatable: list[str]) -> None:
    trees = list(_app_trees())
    domain = _domain_classes(trees)
    for path, tree in trees:
        for node in ast.walk(tree):
            place = f"{path}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call) and _name(node.func) in domain:
                # The message is the first string argument: ValidationFailed(errors, "...").
                args = [*node.args, *(k.value for k in node.keywords if k.arg == "message")]
                for arg in args:
                    if (text := _text(arg)) is not None:
                        found.add(text, place)
                        break
                    if isinstance(arg, ast.JoinedStr):
                        untranslatable.append(f"{place}: f-string message for {_name(node.func)}")
                        break
            elif isinstance(node, ast.ClassDef) and node.name in domain:
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                        args = item.args
                        with_default = args.args[len(args.args) - len(args.defaults) :]
                        for arg, default in zip(
                            [*with_default, *args.kwonlyargs],
                            [*args.defaults, *args.kw_defaults],
                            strict=True,
                        ):
                            if arg.arg == "message" and (text := _text(default)) is not None:
                                found.add(text, f"{path}:{item.lineno}")
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(_name(t) in MESSAGE_TABLES for t in targets) and isinstance(
                    node.value, ast.Dict
                ):
                    for value in node.value.values:
                        if (text := _text(value)) is not None:
                            found.add(text, f"{path}:{value.lineno}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get"
                and _name(node.func.value) in MESSAGE_TABLES
                and len(node.args) > 1
                and (text := _text(node.args[1])) is not None
            ):
                found.add(text, place)
            if (
                isinstance(node, ast.Call)
                and _name(node.func) in {"Lazy", "N_", "translate", "gettext", "_"}
                and node.args
                and isinstance(node.args[0], ast.JoinedStr)
            ):
                untranslatable.append(f"{place}: f-string passed to {_name(node.func)}")


@pytest.fixture(scope="module")
def collected() -> tuple[Found, list[str]]:
    found = Found()
    untranslatable: list[str] = []
    _babel_messages(found)
    _ast_messages(found, untranslatable)
    return found, untranslatable


@pytest.fixture(scope="module")
def catalog():
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="nl")


# --- checks ------------------------------------------------------------------------------


def _placeholders(text: str) -> set[str]:
    return {match.group(0) for match in PLACEHOLDER.finditer(text)}


def _formats(text: str, placeholders: set[str]) -> bool:
    """Whether text % params works, as Jinja (always) and translate() (with params) do it."""
    names = {PLACEHOLDER.match(p).group(1) for p in placeholders}
    try:
        text % dict.fromkeys(names, 1)
    except (KeyError, TypeError, ValueError):
        return False
    return True


def _po_entry(msgid: Msgid, places: list[str]) -> str:
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    refs = "#: " + " ".join(sorted(set(places))[:4])
    if isinstance(msgid, tuple):
        singular, plural = msgid
        return (
            f"{refs}\nmsgid {quoted(singular)}\nmsgid_plural {quoted(plural)}\n"
            'msgstr[0] ""\nmsgstr[1] ""'
        )
    return f'{refs}\nmsgid {quoted(msgid)}\nmsgstr ""'


def _problems(msgid: Msgid, found: Found, catalog) -> list[str]:
    """What is wrong with the Dutch entry for msgid (empty when it is fine)."""
    key = msgid[0] if isinstance(msgid, tuple) else msgid
    message = catalog.get(key)
    if message is None:
        return ["missing"]
    if message.fuzzy:
        return ["marked fuzzy (fuzzy entries are not used)"]
    if isinstance(msgid, tuple):
        if not isinstance(message.id, tuple) or message.id[1] != msgid[1]:
            return ["needs msgid_plural " + repr(msgid[1])]
        pairs = list(zip(msgid, message.string, strict=True))
    else:
        if isinstance(message.id, tuple):
            return ["is a plural entry, but the code uses it as a plain msgid"]
        pairs = [(msgid, message.string)]
    problems = []
    for source, text in pairs:
        if not text or not text.strip():
            problems.append("empty translation")
            continue
        wanted, got = _placeholders(source), _placeholders(text)
        if wanted != got:
            problems.append(f"placeholders {sorted(got)} instead of {sorted(wanted)}")
        elif (msgid in found.formatted or wanted) and not _formats(text, got):
            problems.append("translation is not a valid %-format string (write % as %%)")
    return problems


def test_every_msgid_has_a_dutch_translation(collected, catalog):
    found, _untranslatable = collected
    assert len(found.places) > 100, "message extraction found suspiciously little"
    report = []
    for msgid, places in sorted(found.places.items(), key=lambda item: str(item[0])):
        for problem in _problems(msgid, found, catalog):
            report.append(f"# {problem}\n{_po_entry(msgid, places)}")
    assert not report, f"app/i18n/nl.po needs work on {len(report)} message(s):\n\n" + "\n\n".join(
        report
    )


def test_messages_are_literals_not_fstrings(collected):
    _found, untranslatable = collected
    assert not untranslatable, (
        "These messages cannot be translated; use a literal with %(name)s and pass params:\n"
        + "\n".join(untranslatable)
    )


def test_catalog_header(catalog):
    assert str(catalog.locale) == "nl"
    assert catalog.num_plurals == 2
    assert catalog.plural_expr.replace(" ", "") == "(n!=1)"


def _in_locale(locale: str, message: str, **params: object) -> str:
    """translate() in a fresh context, so the locale does not leak into other tests."""

    def run() -> str:
        set_locale(locale)
        return translate(message, **params)

    return contextvars.copy_context().run(run)


def test_rendering_uses_the_catalog():
    assert _in_locale("nl", "Challenges") == "Opgaven"
    assert _in_locale("en", "Challenges") == "Challenges"
    assert _in_locale("nl", "Question %(number)s", number=3) == "Vraag 3"
    assert _in_locale("en", "Question %(number)s", number=3) == "Question 3"
