"""arm22 (issue 10, the twenty-second pass): an arm that ends inside the square is not a line
of the paper (`empty8.ARM_ENDS`, `empty8.arm_ends_inside`).

red22 drew light HB pencil marks mostly beside the squares empty8 settles; two were read
`empty` on empty8's word: the arm in the margin joined the printed rule's run (skipped as a
line along the square's sides) and its foot inside, shorter than RUN_MM, counted as noise.
A line of the paper goes on through the square (a run inside longer than RUN_MM, judged as a
curve) or passes it by (nothing inside); a foot inside at the end of an arm beyond the border
is a hand's."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import kiosk.reading.empty8 as empty8
import kiosk.reading.reader as reader_module

sys.path.insert(0, str(Path(__file__).resolve().parent))
import readkit
from test_red22 import draw


def _read(r: Any, image: np.ndarray, k: int, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, dict[str, Any]]:
    """Square k's reading, empty8's answer for it and what the reader handed empty8."""
    got: dict[str, Any] = {}
    real_bands, real_settle = reader_module.side_bands, empty8.settles_empty

    def bands(image: np.ndarray, centres: np.ndarray, scales: np.ndarray, *a: Any) -> Any:
        got["c"], got["s"] = centres.copy(), scales.copy()
        return real_bands(image, centres, scales, *a)

    def settle(
        image: np.ndarray, centre: np.ndarray, scale: float, levels: np.ndarray, gain: float, *a: Any
    ) -> bool:
        out = real_settle(image, centre, scale, levels, gain, *a)
        if np.allclose(centre, got["c"][k]):
            got["paper"], got["gain"], got["empty8"] = float(np.max(levels)), gain, out
            got["half"], got["page"] = a[-2], a[-1]
        return out

    monkeypatch.setattr(reader_module, "side_bands", bands)
    monkeypatch.setattr(empty8, "settles_empty", settle)
    try:
        mark = r.read(image).contests[0].marks[k]
    finally:
        monkeypatch.setattr(reader_module, "side_bands", real_bands)
        monkeypatch.setattr(empty8, "settles_empty", real_settle)
    got["centre"], got["scale"] = (float(got["c"][k, 0]), float(got["c"][k, 1])), float(got["s"][k])
    return mark, got


def _drawn(image: np.ndarray, got: dict[str, Any]) -> str | None:
    """empty8's answer for the square, with the reader's own test of a straight run's line."""
    at, s = got["centre"], got["scale"]
    hand_line = empty8.hand_line_test(image, at, got["half"], s, got["page"])
    return empty8.drawn(image, at, s, got["paper"], got["gain"], hand_line)


def test_a_rim_through_the_square_is_still_settled_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    """140/261/12 (253 dpi, a stain): a stain's rim crosses the whole inside (one run 4.6 mm
    long, judged as a curve and followed out on both sides beyond the square), its pieces in
    the margin reach the printed border's zone beside the run inside: no foot, settled. Session
    55 (empty8.ON_LINE, its price): the rim bends away from the run's line beyond the square, so
    the trace kept to that line loses it and the square stays in review; with the trace as it
    was, settled."""
    assert empty8.ARM_ENDS
    r, sheet, image = readkit.field_sheet(140, 261, ("stain",))
    assert sheet.truth.squares[12].expected == "empty"
    mark, got = _read(r, image, 12, monkeypatch)
    assert not got["empty8"] and mark.mark == "marginal", mark
    monkeypatch.setattr(empty8, "ON_LINE", False)
    mark, got = _read(r, image, 12, monkeypatch)
    assert got["empty8"] and mark.mark == "empty", mark
    assert _drawn(image, got) is None


@pytest.mark.parametrize(
    ("index", "k", "attack"),
    [
        (261, 12, "tick-far:hb:above"),  # the vertex 6.3 mm above, an arm over the upper left corner
        (33, 13, "cross-below:hb:below"),  # a cross on the printed rule below, its upper arms 1 mm in
    ],
)
def test_an_arm_that_ends_inside_is_refused_and_off_gives_the_old_reading(
    index: int, k: int, attack: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """red22's two holes: with ARM_ENDS empty8 answers "arm" (its foot inside, its arm at the
    border beyond) and the square is not read `empty`; with it off, the old reading (`empty`,
    empty8's "nothing drawn")."""
    r, sheet, image = readkit.field_sheet(140, index, ("stain",))
    assert sheet.truth.squares[k].expected == "empty"
    _base, got = _read(r, image, k, monkeypatch)
    img = draw(image, got["centre"], got["scale"], attack, index)
    assert _drawn(img, got) == "run"  # session 55's ON_LINE: the arm's trace does not go on either
    monkeypatch.setattr(empty8, "ON_LINE", False)  # ARM_ENDS's own question, on the trace as it was
    assert _drawn(img, got) == "arm"
    assert r.read(img).contests[0].marks[k].mark != "empty"
    monkeypatch.setattr(empty8, "ARM_ENDS", False)
    assert _drawn(img, got) is None
    mark, got_off = _read(r, img, k, monkeypatch)
    assert mark.mark == "empty" and got_off["empty8"], mark


def test_no_foot_no_arm() -> None:
    """`arm_ends_inside` on offsets (px, 10 a mm): a foot 1.4 mm from an arm's pixel (across
    the printed border's zone) is the arm's end; one more than ARM_GAP_MM away is not; no arm,
    no refusal."""
    s = 10.0
    foot = (np.array([20.0, 21.0, 22.0]), np.array([-20.0, -21.0, -22.0]))
    arm = (np.array([23.0, 24.0]), np.array([-36.0, -36.0]))
    assert empty8.arm_ends_inside([foot], [arm], s)
    far = (arm[0] + empty8.ARM_GAP_MM * s + 20.0, arm[1])
    assert not empty8.arm_ends_inside([foot], [far], s)
    assert not empty8.arm_ends_inside([foot], [], s)
