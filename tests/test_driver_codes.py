"""Every code a driver can raise or report has its kk/ru/en message (or is a plain event
the kiosk shows without one), so nothing reaches a commission member as a bare code."""

from __future__ import annotations

import ast
from pathlib import Path

from drivers import serial_protocol as p
from drivers.base import PLAIN_EVENTS
from drivers.sane_scanner import SANE_STATUS_CODES
from kiosk.messages import MESSAGES

DRIVERS = Path(__file__).resolve().parent.parent / "drivers"


def _codes_in_source() -> set[str]:
    """String literals given to SanaqError(...) and self._event(...) in drivers/."""
    found: set[str] = set()
    for path in DRIVERS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ("SanaqError", "_event") and isinstance(node.args[0].value, str):
                    found.add(node.args[0].value)
    return found


def test_every_driver_code_has_a_message() -> None:
    codes = set(p.EVENT_CODES.values()) | set(p.RESULT_CODES.values()) | set(SANE_STATUS_CODES.values())
    codes |= _codes_in_source()
    assert len(codes) > 15
    missing = {c for c in codes if c not in MESSAGES and c not in PLAIN_EVENTS}
    assert missing == set()
    assert not PLAIN_EVENTS & set(MESSAGES)  # a code is one or the other
