"""beside35's drawn family (issue 10, the thirty-fourth pass): a tick drawn beside a square, on a
side whose other marks and stain lift the baseline.

The field generator (`fieldkit.conditions.generate_field_sheet`) on MZ-LIST (8 squares) with
stain, pencil and skew on every sheet, 150-300 dpi; the voter is forced to one tick drawn
*beside* a square (the deck's tick shape, a pen or a light pencil, offset 0.4-0.65 of the
square in x and y: the generator's own edge tick is offset 0.3-0.45, so this family lies
further out, mostly or wholly outside) and 2-5 more marks. Each sheet's tick is classed from
its drawn polyline on the page: `inside` (its stroke reaches the square's inside), `border`
(it reaches the printed border, not the inside: 12200/23039/c02's case), `off` (it stops short
of the border). The truth counts the tick `marked` in every class.

Dev seeds only (`fieldkit.conditions.HOLDOUT_SEEDS` refused).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

import fieldkit.conditions as fc
from fieldkit.conditions import HOLDOUT_SEEDS, FieldOptions, FieldSheet, generate_field_sheet
from kiosk.ballots.layout import TARGET, TARGET_STROKE, BallotLayout
from kiosk.election.model import Election

STYLE = "MZ-LIST"
OFFSET = (0.4, 0.65)  # of the square, in x and in y, either way


@dataclass(frozen=True)
class BesideSheet:
    sheet: FieldSheet
    square: int  # the tick's square
    cls: str  # "inside", "border" or "off"
    reach_mm: float  # how near the stroke comes to the square's centre (Chebyshev, its half width off)
    light: bool  # light pencil (else a pen)
    others: int  # other marks on the side


def _class(reach_mm: float) -> str:
    if reach_mm < TARGET / 2 - TARGET_STROKE:
        return "inside"
    return "border" if reach_mm <= TARGET / 2 + 0.05 else "off"


@contextmanager
def _drawn(kinds: list[str], out: dict[str, float]) -> Iterator[None]:
    """The generator's voter forced to `kinds`; its `light_pencil` square drawn as the tick beside."""
    names = vars(fc)  # the generator's module globals (`generate_field_sheet` looks them up there)
    real_draw, real_intent = names["_draw_mark"], names["voter_intent"]

    def beside_tick(layer: np.ndarray, box_px: Any, kind: Any, rng: Any, s: float, edge_tick: bool) -> None:
        if kind != "light_pencil":
            real_draw(layer, box_px, kind, rng, s, edge_tick)
            return
        x, y, size = box_px
        light = rng.random() < 0.5
        grey = int(rng.integers(120, 150)) if light else int(rng.integers(10, 70))
        thick = max(1, round((rng.uniform(0.5, 0.7) if light else rng.uniform(0.35, 0.8)) * s))
        sc = rng.uniform(0.8, 1.4)
        dx = rng.choice([-1.0, 1.0]) * rng.uniform(*OFFSET)
        dy = rng.choice([-1.0, 1.0]) * rng.uniform(*OFFSET)
        pts = np.array(
            [
                (
                    x + (0.5 + (u - 0.5) * sc + rng.uniform(-0.08, 0.08) + dx) * size,
                    y + (0.5 + (v - 0.5) * sc + rng.uniform(-0.08, 0.08) + dy) * size,
                )
                for u, v in [(0.1, 0.55), (0.4, 0.88), (0.95, 0.05)]
            ]
        )
        poly = np.round(pts * 16).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(layer, [poly], False, grey, thick, cv2.LINE_AA, 4)
        centre = np.array([x + size / 2, y + size / 2])
        t = np.linspace(0.0, 1.0, 200)[:, None]
        line = np.concatenate([a + (b - a) * t for a, b in itertools.pairwise(pts)])
        out["reach"] = float(np.abs(line - centre).max(axis=1).min() / s - thick / 2 / s)
        out["light"] = float(light)

    names["_draw_mark"] = beside_tick
    names["voter_intent"] = lambda *_a: ("overvote", list(kinds))
    try:
        yield
    finally:
        names["_draw_mark"], names["voter_intent"] = real_draw, real_intent


def voter_kinds(rng: np.random.Generator, others: int) -> tuple[int, list[str]]:
    """An 8-square side's voter (tick13's drawn family's, and this one's): a `light_pencil`
    square among the first seven (the one drawn specially) and `others` more marks elsewhere."""
    kinds = ["none"] * 8
    at = int(rng.integers(0, 7))
    kinds[at] = "light_pencil"
    rest = [k for k in range(8) if k != at]
    for k in rng.choice(rest, size=others, replace=False):
        kinds[int(k)] = str(rng.choice(["tick", "circle", "scribble", "cross"]))
    return at, kinds


def beside_sheet(
    election: Election, election_hash: str, layout: BallotLayout, seed: int, index: int
) -> BesideSheet:
    """Sheet `index` of the family on dev seed `seed` (layout: MZ-LIST's)."""
    if seed in HOLDOUT_SEEDS:
        raise ValueError(f"seed {seed} is a holdout seed")
    rng = np.random.default_rng([seed, index, 35])
    others = int(rng.integers(2, 6))
    at, kinds = voter_kinds(rng, others)
    opts = FieldOptions(p=0.0, none_share=0.0, always=("stain", "pencil", "skew"))
    drawn: dict[str, float] = {}
    with _drawn(kinds, drawn):
        sheet = generate_field_sheet(election, election_hash, layout, seed, index, opts)
    return BesideSheet(sheet, at, _class(drawn["reach"]), drawn["reach"], bool(drawn["light"]), others)
