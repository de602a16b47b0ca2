"""The calculations that decide an award stand on their own: no database, no web framework."""

import ast
import subprocess
import sys
from pathlib import Path

from app.challenges.models import CriterionKind, Direction
from app.contracts.periods import Frequency as PeriodFrequency
from app.evaluation.formula import Direction as FormulaDirection
from app.evaluation.scores import CriterionKind as ScoreKind

ROOT = Path(__file__).resolve().parents[2]
PURE = [
    "app.evaluation.scores",
    "app.evaluation.formula",
    "app.evaluation.eligibility",
    "app.evaluation.ranking",
    "app.contracts.periods",
]
# The standstill reads Amsterdam's zone from app.clock, the one place that names it.
NO_FRAMEWORK = [*PURE, "app.contracts.standstill"]
FRAMEWORKS = {"sqlalchemy", "fastapi", "starlette", "pydantic", "jinja2", "asyncpg", "aiosqlite"}


def frameworks_loaded(modules: list[str], frameworks: set[str]) -> str:
    """Which of `frameworks` importing `modules` in a fresh interpreter pulls in, as printed."""
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in modules)
        + f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {frameworks!r}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return output.strip()


def own_imports(name: str) -> list[str]:
    """Every module the source of `name` imports itself (not what those import)."""
    tree = ast.parse((ROOT / (name.replace(".", "/") + ".py")).read_text())
    modules = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules.append(node.module or "")
    return modules


def test_pure_modules_load_no_framework():
    """Imported in a fresh interpreter, they pull in none of the frameworks, not even indirectly."""
    assert frameworks_loaded(PURE, FRAMEWORKS) == "[]"


def test_no_calculation_imports_a_framework_itself():
    for name in NO_FRAMEWORK:
        for module in own_imports(name):
            assert module.split(".")[0] not in FRAMEWORKS, f"{name} imports {module}"


def test_literal_values_match_the_challenge_enums():
    """The calculations name the values of the challenge's enums without importing the models."""
    assert set(ScoreKind.__args__) == {kind.value for kind in CriterionKind}
    assert set(FormulaDirection.__args__) == {direction.value for direction in Direction}
    assert len(PeriodFrequency.__args__) == 4
