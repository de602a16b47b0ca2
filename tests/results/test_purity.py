"""The results calculations stand on their own: no database, no web framework."""

from pathlib import Path

from tests.evaluation.test_purity import FRAMEWORKS, frameworks_loaded, own_imports

ROOT = Path(__file__).resolve().parents[2]
# The database and web side of results (reports, payments, their pages and API) sits beside the
# calculations in the same package; every other module is a pure calculation.
STORED = {
    "api",
    "models",
    "schemas",
    "service",
    "views",
    "portfolio_service",
    "portfolio_api",
    "portfolio_views",
}
PURE = sorted(
    "app.results." + path.stem
    for path in (ROOT / "app" / "results").glob("*.py")
    if path.stem != "__init__" and path.stem not in STORED
)


def test_every_results_module_is_checked():
    assert {"app.results.cuts", "app.results.payment", "app.results.status"} <= set(PURE)
    assert not {"app.results." + name for name in STORED} & set(PURE)


def test_results_modules_load_no_framework():
    """Imported in a fresh interpreter, they pull in none of the frameworks, not even indirectly
    (openpyxl is imported only when an XLSX file is made)."""
    assert frameworks_loaded(PURE, FRAMEWORKS | {"openpyxl"}) == "[]"


def test_no_results_module_imports_a_framework_itself():
    for name in PURE:
        for module in own_imports(name):
            assert module.split(".")[0] not in FRAMEWORKS, f"{name} imports {module}"
