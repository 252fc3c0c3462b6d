"""docs/reading.md's table of the reader's rules says what the code does: one row for every
module under kiosk/reading with a switch, ON or OFF as the switch is, what it looks for, and
which way it can move a square.
A rule added, removed, or switched on or off without the table following fails here."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reading.md"


def _switched_modules() -> dict[str, bool]:
    out = {}
    for path in sorted((ROOT / "kiosk" / "reading").glob("*.py")):
        if re.search(r"^ENABLED\s*=", path.read_text(), re.M):
            module = importlib.import_module(f"kiosk.reading.{path.stem}")
            out[path.stem] = bool(module.ENABLED)
    return out


def _table_rows() -> dict[str, tuple[str, ...]]:
    text = DOC.read_text()
    start = text.index("## Where the field reading stands")
    section = text[start : text.index("\n## ", start + 10)]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.fullmatch(r"`[a-z0-9_]+`", cells[0]):
            rows[cells[0].strip("`")] = tuple(cells[1:])
    return rows


def test_every_switched_rule_has_its_row_and_its_switch() -> None:
    modules = _switched_modules()
    assert len(modules) >= 50  # the glob found the rules
    rows = _table_rows()
    assert set(rows) == set(modules), (
        f"missing from the table: {sorted(set(modules) - set(rows))}; "
        f"in the table, no such switched module: {sorted(set(rows) - set(modules))}"
    )
    for name, on in modules.items():
        switch, what, moves = rows[name][:3]
        assert switch == ("ON" if on else "OFF"), f"{name}: the table says {switch}"
        assert len(what) > 10, f"{name}: says nothing of what it looks for"
        # which way it can move a square: review, marked, empty, or two of them, and the couplings
        assert re.fullmatch(
            r"(review|marked|empty)(, (review|marked|empty))?( \(G[1-4](, G[1-4])*\))?", moves
        ), f"{name}: can move a square to {moves!r}"


def test_rules_that_only_send_to_the_commission_say_review() -> None:
    """A module whose docstring says it only SENDS a square to the commission has `review`
    alone in the table's last column."""
    rows = _table_rows()
    for name in _switched_modules():
        doc = importlib.import_module(f"kiosk.reading.{name}").__doc__ or ""
        if "only SEND" in doc:  # "only SENDS" too
            assert rows[name][2].split(" (")[0] == "review", f"{name}: {rows[name][2]}"
