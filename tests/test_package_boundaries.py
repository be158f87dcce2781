"""The product imports nothing from the emulator, the emulator nothing from the product (issue 9).

Read from the source files' import statements (ast), so an import hidden in a function counts too. The
one allowed exception: `python -m etd_readiness.demo serve|record` needs the emulator and imports it
inside `try: ... except ImportError`, to say in one line how to install it when it is missing.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = [*sorted((ROOT / "src" / "etd_readiness").rglob("*.py")), *sorted((ROOT / "tenant_checks").glob("*.py"))]
EMULATOR = sorted((ROOT / "emulator" / "src" / "graph_emulator").rglob("*.py"))
IMPORT_FUNCTIONS = {"import_module", "__import__", "find_spec"}


def _catches_import_error(node: ast.Try) -> bool:
    names = set()
    for handler in node.handlers:
        kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        names |= {k.id for k in kinds if isinstance(k, ast.Name)}
    return bool(names & {"ImportError", "ModuleNotFoundError"})


def imports_of(path: Path, package: str) -> list[tuple[int, bool]]:
    """(line, guarded) for every import of `package` in the file; guarded = inside try/except ImportError."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    guarded_lines = {
        inner.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Try) and _catches_import_error(node)
        for stmt in node.body
        for inner in ast.walk(stmt)
        if isinstance(inner, ast.Import | ast.ImportFrom)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [node.module or ""] if node.level == 0 else []
        elif (
            isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in IMPORT_FUNCTIONS
        ):
            modules = [a.value for a in node.args[:1] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        else:
            continue
        if any(m == package or m.startswith(package + ".") for m in modules):
            found.append((node.lineno, node.lineno in guarded_lines))
    return found


def test_the_files_are_found() -> None:
    assert len(PRODUCT) > 20 and len(EMULATOR) > 20


def test_the_emulator_imports_nothing_from_the_product() -> None:
    assert {
        str(p.relative_to(ROOT)): imports_of(p, "etd_readiness") for p in EMULATOR if imports_of(p, "etd_readiness")
    } == {}


def test_the_product_imports_the_emulator_only_in_the_demo_command_and_guarded() -> None:
    found = {
        str(p.relative_to(ROOT)): imports_of(p, "graph_emulator") for p in PRODUCT if imports_of(p, "graph_emulator")
    }
    assert list(found) == ["src/etd_readiness/demo.py"]
    assert all(guarded for _, guarded in found["src/etd_readiness/demo.py"])


def test_the_scan_sees_plain_nested_dynamic_and_guarded_imports(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "import os\n"
        "from graph_emulator.catalog import facts\n"
        "def f():\n"
        "    import graph_emulator\n"
        "    importlib.import_module('graph_emulator.service')\n"
        "try:\n"
        "    import graph_emulator\n"
        "except ImportError:\n"
        "    pass\n"
        "from . import graph_emulator_like\n",
        encoding="utf-8",
    )
    assert sorted(imports_of(source, "graph_emulator")) == [(2, False), (4, False), (5, False), (7, True)]
