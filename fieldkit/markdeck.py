"""The mark-threshold calibration deck (issue 16): test equipment, never opened by a station.

Sheets of the deck generator (`fieldkit.deck`) whose squares are chosen for calibration
rather than drawn from the voters' model: on each sheet, squares in turn get a clear mark
(tick, cross, plus, fill, circle, scribble), light pencil, a faint tick (one that only
catches a corner of the square), a hesitation dot, an erasure, or nothing; and sheets of the
field-conditions corpus (`fieldkit.conditions`, one condition a sheet in turn: pencil, felt
tip, tinted paper scanned grey or in colour, illumination fall-off, show-through, skew;
`FIELD_CONDITIONS`), whose squares are what the corpus's voters made. Both go through the same scanner model.

The truth (`truth.json`) names each sheet (the folder scanner's handle: the file name) in
feed order and each square's mark kind; `kiosk.calibration.thresholds` groups kinds into
empty (nothing, erasure), doubtful (hesitation dot) and clear (every voting mark).

Files: `NAME.a.EXT` (choices side) + `NAME.b.EXT` (title side) for generated sheets,
`NAME.jpg` (choices side only) for field sheets, as `sanaq deck` writes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fieldkit.conditions import Condition
from fieldkit.deck import (
    DeckOptions,
    _blank,
    _degrade,
    _draw_mark,
    _encode,
    _warp,
)
from kiosk.ballots.layout import build_layout
from kiosk.election.model import Election

# The kinds a calibration sheet cycles through, square by square ("edge_tick": a tick that
# only catches a corner of the square, the faint tick).
CYCLE = (
    "tick",
    "none",
    "light_pencil",
    "erased",
    "edge_tick",
    "none",
    "hesitation_dot",
    "cross",
    "none",
    "light_pencil",
    "filled",
    "hesitation_dot",
    "plus",
    "none",
    "erased",
    "circle",
    "none",
    "scribble",
)
FORMAT = "sanaq.mark-calibration/1"
# The field conditions of the deck, one per field sheet in turn: what the paper, the pen and the
# scanner's light do to ink against paper, which is what the thresholds separate. Damage (stains,
# folds, creases, faint streaks, a corner out) is left out: the reader's closer look, not a
# threshold, sends those squares to the commission (measured by benchmarks/accuracy.py --field).
FIELD_CONDITIONS: tuple[Condition, ...] = (
    "pencil",
    "felt_tip",
    "paper_grey_scan",
    "paper_colour_scan",
    "falloff",
    "show_through",
    "skew",
)


@dataclass(frozen=True)
class CalibrationSheet:
    name: str
    style: str
    kinds: list[str]  # per square, in ballot order
    conditions: list[str]
    files: list[str]


def calibration_sheet(
    election: Election,
    election_hash: str,
    style: str,
    seed: int,
    index: int,
    opt: DeckOptions = DeckOptions(),
    test: bool = False,
) -> tuple[list[str], bytes, bytes, str]:
    """(kinds per square, choices side bytes, title side bytes, extension)."""
    rng = np.random.default_rng([seed, index, 0xCA1])
    layout = build_layout(election, election_hash, style, test)
    dpi = int(rng.choice(opt.dpis))
    s = dpi / 25.4
    n = len(layout.targets)
    start = int(rng.integers(0, len(CYCLE)))
    kinds = [CYCLE[(start + 5 * index + i) % len(CYCLE)] for i in range(n)]
    page = _blank(layout, "back", dpi).copy()
    layer = np.full_like(page, 255)
    for target, kind in zip(layout.targets, kinds, strict=True):
        if kind == "none":
            continue
        b = target.box
        draw = "tick" if kind == "edge_tick" else kind
        _draw_mark(layer, (b.x * s, b.y * s, b.w * s), draw, rng, s, kind == "edge_tick")  # type: ignore[arg-type]
    np.minimum(page, layer, out=page)
    effects: dict[str, float | int | str | bool] = {}
    warped, _, _ = _warp(page, rng, opt, s, effects)
    back = _degrade(warped, rng, opt, s, effects, None)
    quality = int(rng.integers(70, 96))
    back_bytes, ext = _encode(back, opt, quality)
    front_warped, _, _ = _warp(_blank(layout, "front", dpi), rng, opt, s, {})
    front_bytes, _ = _encode(_degrade(front_warped, rng, opt, s, {}, None), opt, quality)
    return kinds, back_bytes, front_bytes, ext


def write_calibration_deck(
    election: Election,
    election_hash: str,
    out: Path,
    n: int = 40,
    field: int = 20,
    seed: int = 1,
    styles: list[str] | None = None,
    test: bool = True,
) -> list[CalibrationSheet]:
    """n generated calibration sheets and `field` sheets of the field-conditions corpus, with
    their truth, in `out` (the folder a hot-folder scanner reads, or the emulator's deck).
    Test ballots by default: printed calibration sheets must never count as votes."""
    from fieldkit.conditions import FieldOptions, generate_field_sheet

    out.mkdir(parents=True, exist_ok=True)
    styles = styles or [s.id for s in election.styles]
    # No 180-degree feeds or title-side-first: the folder keeps sides apart by name anyway.
    opt = DeckOptions(streak=0.0, hesitation=0.0, erased=0.0, stray=0.0)
    sheets: list[CalibrationSheet] = []
    for i in range(n):
        style = styles[i % len(styles)]
        kinds, back, front, ext = calibration_sheet(election, election_hash, style, seed, i, opt, test)
        name = f"CAL{i:04d}-{style}"
        files = [f"{name}.a.{ext}", f"{name}.b.{ext}"]
        (out / files[0]).write_bytes(back)
        (out / files[1]).write_bytes(front)
        sheets.append(CalibrationSheet(name, style, kinds, [], files))
    for j in range(field):
        style = styles[j % len(styles)]
        layout = build_layout(election, election_hash, style, test)
        only = FIELD_CONDITIONS[j % len(FIELD_CONDITIONS)]
        sheet = generate_field_sheet(election, election_hash, layout, seed + 7919, j, FieldOptions(only=only))
        name = f"FLD{j:04d}-{style}"
        files = [f"{name}.jpg"]
        (out / files[0]).write_bytes(sheet.image)
        kinds = [sq.kind for sq in sheet.truth.squares]
        sheets.append(CalibrationSheet(name, style, kinds, list(sheet.conditions), files))
    truth = {
        "format": FORMAT,
        "election_hash": election_hash,
        "seed": seed,
        "test": test,
        "sheets": [
            {"name": s.name, "style": s.style, "kinds": s.kinds, "conditions": s.conditions, "files": s.files}
            for s in sheets
        ],
    }
    (out / "truth.json").write_text(json.dumps(truth, indent=1) + "\n")
    return sheets
