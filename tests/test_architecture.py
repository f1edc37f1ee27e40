"""The shape of the house, checked: which package may import which, module and callback sizes, and no period,
kind or unit key written outside the vocabulary. Read from the source (every import, also inside functions and
`if TYPE_CHECKING:`), and for layouts also from a fresh interpreter (what importing them loads)."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from dashboard.core import vocabulary

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("dashboard", "layouts", "callbacks", "data_sources")
MAX_MODULE_LINES = 400
MAX_CALLBACK_LINES = 25


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module
    type_only: bool  # inside `if TYPE_CHECKING:`
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_files() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imports_of(path: Path) -> list[Import]:
    source, tree = module_name(path), ast.parse(path.read_text("utf-8"))
    type_only_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                type_only_lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    found = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            subs = [f"{node.module}.{alias.name}" for alias in node.names]
            targets = [name for name in subs if _is_module(name)] or [node.module]
        for target in targets:
            if target.split(".")[0] in PACKAGES:
                found.append(Import(source, target, node.lineno in type_only_lines, node.lineno))
    return found


ALL_IMPORTS = [imp for path in project_files() for imp in imports_of(path)]


def within(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(f"{p}.") for p in packages)


def offending(sources: tuple[str, ...], allowed: tuple[str, ...], *, type_only_allowed: tuple[str, ...] = ()):
    """Imports from modules in `sources` of project modules outside `allowed` (and outside their own package)."""
    return [
        f"{i.source}:{i.line} imports {i.target}"
        for i in ALL_IMPORTS
        if within(i.source, *sources)
        and not within(i.target, *allowed, *sources)
        and not (i.type_only and within(i.target, *type_only_allowed))
    ]


def test_the_graph_is_read_from_every_module():
    sources = {i.source for i in ALL_IMPORTS}
    assert {"dashboard.pages.unit", "callbacks.unit", "layouts.unit", "data_sources.reader"} <= sources
    assert any(i.type_only for i in ALL_IMPORTS)  # the TYPE_CHECKING blocks are seen


def test_data_sources_import_only_dashboard_core():
    assert offending(("data_sources",), ("dashboard.core",)) == []


def test_core_imports_no_other_part():
    assert offending(("dashboard.core",), ()) == []


def test_the_store_imports_core_only_never_metrics_or_pages():
    assert offending(("dashboard.store",), ("dashboard.core",)) == []


def test_ingest_imports_core_store_and_data_sources():
    assert offending(("dashboard.ingest",), ("dashboard.core", "dashboard.store", "data_sources")) == []


def test_metrics_are_pure():
    assert offending(("dashboard.metrics",), ("dashboard.core",)) == []


def test_auth_imports_core_only():
    """Who may see what depends on nothing but the vocabulary; the web layer asks it, never the other way."""
    assert offending(("dashboard.auth",), ("dashboard.core",)) == []


def test_pages_never_import_web_callbacks_or_layouts():
    """Pages read the data path (and the accounts' audit log, whose package imports only core)."""
    upstream = ("dashboard.core", "dashboard.store", "dashboard.ingest", "dashboard.metrics", "dashboard.services")
    upstream = (*upstream, "dashboard.auth")
    assert offending(("dashboard.pages",), (*upstream, "data_sources")) == []


def test_layouts_import_neither_the_store_nor_the_pages():
    """Layouts build from plain data: core and the pure metrics; a page model only as a type for the checker."""
    found = offending(("layouts",), ("dashboard.core", "dashboard.metrics"), type_only_allowed=("dashboard.pages",))
    assert found == []


def test_importing_every_layout_loads_no_store_no_page_and_no_database_library():
    modules = sorted(module_name(p) for p in (ROOT / "layouts").rglob("*.py"))
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic', 'psycopg', 'pymysql')"
        " or m.startswith(('dashboard.store', 'dashboard.pages', 'dashboard.ingest', 'dashboard.web', 'callbacks'))]\n"
        "print(sorted(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_nothing_imports_callbacks_but_the_app_factory():
    """The app factory is where the callbacks are registered (`callbacks.register(app, services)`)."""
    found = sorted(
        {i.source for i in ALL_IMPORTS if within(i.target, "callbacks") and not within(i.source, "callbacks")}
    )
    assert found == ["dashboard.web.app"]


def test_no_module_over_400_lines():
    long = {module_name(p): n for p in project_files() if (n := len(p.read_text("utf-8").splitlines())) > 400}
    assert long == {}


def _functions(tree: ast.AST):
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_no_callback_over_25_lines():
    """Every function in callbacks/ but the `register` that wires them: decorators, signature and body."""
    long = []
    for path in sorted((ROOT / "callbacks").rglob("*.py")):
        for function in _functions(ast.parse(path.read_text("utf-8"))):
            first = min([function.lineno, *(d.lineno for d in function.decorator_list)])
            lines = (function.end_lineno or function.lineno) - first + 1
            if function.name != "register" and lines > MAX_CALLBACK_LINES:
                long.append(f"{module_name(path)}.{function.name}: {lines} lines")
    assert long == []


VOCABULARY_WORDS = {*vocabulary.PERIODS, *vocabulary.UNIT_KINDS, vocabulary.CITY_KEY}


@pytest.mark.parametrize("word", sorted(VOCABULARY_WORDS))
def test_the_word_is_in_the_vocabulary_once(word):
    assert list(vars(vocabulary).values()).count(word) >= 1


def test_no_period_kind_or_unit_key_is_written_outside_the_vocabulary():
    """ "30d", "district", "hcmc" … are names from `dashboard.core.vocabulary`, never literals elsewhere."""
    found = []
    for path in project_files():
        if path == ROOT / "dashboard/core/vocabulary.py" or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in VOCABULARY_WORDS:
                found.append(f"{module_name(path)}:{node.lineno}: {node.value!r}")
    assert found == []
