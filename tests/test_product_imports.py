"""Test equipment is not product (issue 12): no module of the product (kiosk/, drivers/,
intake/) imports fieldkit, the tests, the benchmarks or the reader's slow reference, at module
level or inside a function, by an import statement or by a literal name given to
importlib.import_module / __import__. The simulated scanner reaches `drivers.open_scanner`
through the `sanaq.scanners` entry points, which only a development install registers."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("kiosk", "drivers", "intake")
FORBIDDEN = ("fieldkit", "tests", "benchmarks", "kiosk.reading.reference")


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """Every module name `path` imports (statements anywhere, literal dynamic imports)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = _module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package[: len(package) - (node.level - 1)]
                base = ".".join([*up, *([base] if base else [])])
            out.append((node.lineno, base))
            out += [(node.lineno, f"{base}.{a.name}") for a in node.names]
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            if name in ("import_module", "__import__") and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    out.append((node.lineno, arg.value))
    return out


def forbidden_imports(root: Path = ROOT) -> list[str]:
    found = []
    for top in PRODUCT:
        for path in sorted((root / top).rglob("*.py")):
            bad = {
                line: name
                for line, name in reversed(imported_names(path, root))
                if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
            }
            found += [f"{path.relative_to(root)}:{line}: {name}" for line, name in sorted(bad.items())]
    return found


def test_no_product_module_imports_test_equipment() -> None:
    assert forbidden_imports() == []


@pytest.mark.parametrize(
    "source",
    [
        "from fieldkit.deck import write_deck\n",
        "def f():\n    import fieldkit.sim\n",
        "import benchmarks.crash as c\n",
        "from tests import stationkit\n",
        "from kiosk.reading import reference\n",
        "from . import reference\n",
        "import importlib\nimportlib.import_module('fieldkit.emulator')\n",
    ],
)
def test_the_rule_catches_each_form(tmp_path: Path, source: str) -> None:
    for top in PRODUCT:
        (tmp_path / top).mkdir()
    (tmp_path / "kiosk" / "reading").mkdir()
    (tmp_path / "kiosk" / "reading" / "x.py").write_text(source)
    assert len(forbidden_imports(tmp_path)) == 1


def test_product_cli_has_no_test_equipment_commands() -> None:
    from kiosk.cli import COMMANDS

    assert not {"deck", "emulate", "demo"} & set(COMMANDS)
    r = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "deck", "--out", "x"], capture_output=True, text=True
    )
    assert r.returncode == 2 and "invalid choice" in r.stderr


def test_the_sim_scanner_comes_from_the_fieldkit_entry_point() -> None:
    from importlib.metadata import entry_points

    from drivers import SCANNER_PLUGINS, open_scanner

    (ep,) = entry_points(group=SCANNER_PLUGINS, name="sim")
    assert ep.value == "fieldkit.sim:open_sim"
    from fieldkit.sim import SimScanner

    scanner = open_scanner("sim:?n=2&seed=4&style=MZ-LIST")
    assert isinstance(scanner, SimScanner) and scanner.n == 2 and scanner.styles == ["MZ-LIST"]
