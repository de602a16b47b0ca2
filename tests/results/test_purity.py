"""The results calculations stand on their own: no database, no web framework."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The database and web side of results (reports, payments, their pages and API) sits beside the
# calculations in the same package; every other module is a pure calculation.
STORED = {"api", "models", "schemas", "service", "views"}
PURE = sorted(
    "app.results." + path.stem
    for path in (ROOT / "app" / "results").glob("*.py")
    if path.stem != "__init__" and path.stem not in STORED
)
FRAMEWORKS = {"sqlalchemy", "fastapi", "starlette", "pydantic", "jinja2", "asyncpg", "aiosqlite"}


def test_every_results_module_is_checked():
    assert {"app.results.cuts", "app.results.payment", "app.results.status"} <= set(PURE)
    assert not {"app.results." + name for name in STORED} & set(PURE)


def test_results_modules_load_no_framework():
    """Imported in a fresh interpreter, they pull in none of the frameworks, not even indirectly
    (openpyxl is imported only when an XLSX file is made)."""
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in PURE)
        + f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {FRAMEWORKS | {'openpyxl'}!r}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


def test_no_results_module_imports_a_framework_itself():
    for name in PURE:
        tree = ast.parse((ROOT / (name.replace(".", "/") + ".py")).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                assert module.split(".")[0] not in FRAMEWORKS, f"{name} imports {module}"
