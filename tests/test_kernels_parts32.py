"""pass32: `make setup` compiles the reader's kernels in several processes at once
(`python -m kiosk.reading.kernels --parts N`); each process takes its share of `warm()`'s
calls. Every call must fall to exactly one part, whatever N, or a kernel would be compiled
by the last check alone (slower, not wrong) or twice (wasted)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba
import pytest

from kiosk.reading import kernels


def _calls(monkeypatch: pytest.MonkeyPatch, part: int, parts: int) -> list[str]:
    """The kernels `warm(part, parts)` calls itself, in order (each answered by a stand-in
    of the right shape, so nothing is compiled here)."""
    called: list[str] = []
    fakes: dict[str, Any] = {
        "coarse_page": lambda *a: (a[0], 230.0, 10.0),
        "coarse_blobs": lambda *a: [],
        "timing_rows": lambda *a: (None, a[2], None),
    }
    for name, fn in vars(kernels).items():
        if isinstance(fn, numba.core.registry.CPUDispatcher):

            def stand_in(*a: Any, _name: str = name) -> Any:
                called.append(_name)
                fake: Callable[..., Any] | None = fakes.get(_name)
                return fake(*a) if fake else None

            monkeypatch.setattr(kernels, name, stand_in)
    kernels.warm(part, parts)
    monkeypatch.undo()
    return called


@pytest.mark.parametrize("parts", [2, 3, 4])
def test_every_warm_call_falls_to_exactly_one_part(monkeypatch: pytest.MonkeyPatch, parts: int) -> None:
    whole = _calls(monkeypatch, 0, 1)
    assert len(whole) >= 30 and len(set(whole)) >= 25  # the reader's top-level kernels
    shares = [_calls(monkeypatch, k, parts) for k in range(parts)]
    assert sorted(name for share in shares for name in share) == sorted(whole)
    assert all(shares), shares  # no process idle
    # a chain stays in one process: each call needs the one before
    for first, then in (("coarse_page", "fiducial_corners"), ("timing_rows", "row_geometry")):
        assert [first in s for s in shares] == [then in s for s in shares]
