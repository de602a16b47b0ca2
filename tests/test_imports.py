"""Imports run one way: no module in app/ imports one that imports it back, and use cases never
reach for presentation code. Every import counts, also inside functions and under TYPE_CHECKING."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
USE_CASES = {"service", "lifecycle", "questions", "search", "opening"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in APP.rglob("*.py")}


def _resolve(name: str) -> str | None:
    """The app module an import names: the deepest one that exists."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str) -> set[str]:
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return _imports_in(path.read_text(), module, package)


def _imports_in(source: str, module: str, package: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for name in names:
            target = _resolve(name) if name == "app" or name.startswith("app.") else None
            if target and target != module:
                found.add(target)
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path that ends where it starts, or None."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path = [start]
        pending = [iter(sorted(graph[start]))]
        while pending:
            following = next(pending[-1], None)
            if following is None:
                pending.pop()
                done.add(path.pop())
            elif following in path:
                return path[path.index(following) :] + [following]
            elif following not in done:
                path.append(following)
                pending.append(iter(sorted(graph[following])))
    return None


def test_the_cycle_finder_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_sees_imports_inside_functions_and_under_type_checking():
    assert "app.migrate" in GRAPH["app.cli"]  # imported inside a command function
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from app.proposals.models import ProposalSubmission\n"
        "def late():\n    from . import models\n"
    )
    assert _imports_in(source, "app.coalitions.service", "app.coalitions") == {
        "app.proposals.models",
        "app.coalitions",
        "app.coalitions.models",
    }
    assert GRAPH["app.challenges.lifecycle"] >= {"app.challenges.models", "app.context"}


def test_no_module_in_app_imports_one_that_imports_it_back():
    cycle = _cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_use_cases_do_not_import_presentation_code():
    wrong = {
        module: sorted(
            target
            for target in targets
            if target == "app.web" or target.rpartition(".")[2] == "views"
        )
        for module, targets in GRAPH.items()
        if module.rpartition(".")[2] in USE_CASES
    }
    assert {module: targets for module, targets in wrong.items() if targets} == {}


def test_domains_call_down_proposals_to_coalitions_to_challenges():
    above = {
        "app.challenges": ("app.coalitions", "app.proposals"),
        "app.coalitions": ("app.proposals",),
    }
    # Coalitions may read proposals' data through the module made for it, which imports models only.
    allowed = {"app.proposals.models", "app.proposals.queries"}
    wrong = [
        (module, target)
        for module, targets in GRAPH.items()
        if module.rpartition(".")[2] in USE_CASES
        for domain, higher in above.items()
        if module.startswith(domain + ".")
        for target in targets
        if target.startswith(higher) and target not in allowed
    ]
    assert wrong == []
