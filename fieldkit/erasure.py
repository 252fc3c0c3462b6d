"""A voter's mark rubbed out with a rubber eraser, drawn on a sheet's image (issue 10, the
ninth pass: erase9). Test-only: the field corpus (fieldkit/conditions.py) is not changed.

What an eraser does to a mark on ballot paper, as drawn here:

- it lifts graphite UNEVENLY along its rub direction: the lift (STRENGTH on average) varies
  across the rub in streaks that run along it (the eraser's edge skips), so the mark's
  remnants stay 0.02-0.2 darker than the paper, more in the streaks it skipped;
- ink (a ballpoint) barely erases: it lifts INK_LIFT of it at most;
- the graphite it lifts and its own dirt smear grey round the patch, spread further along
  the rub direction than across it, with graphite's grain;
- it abrades the paper under the patch: slightly lighter (fibres raised) or greyer, its
  texture coarser (a fine multiplicative noise);
- the patch's edge is soft (SOFT_MM), and the patch need not be centred on the square.

`erase(clean, marked, centre, scale, Eraser(...))` takes the sheet without the mark and with
it (both uint8 grey at `scale` px per mm) and returns the sheet with the mark rubbed out.
`random_eraser(rng)` draws one eraser's variant (size, direction, strength, smear, offset).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

SOFT_MM = 0.6  # the patch's edge: a Gaussian this wide (mm)
INK_LIFT = 0.2  # a ballpoint's ink: at most this much of it lifted


@dataclass(frozen=True)
class Eraser:
    """One rub: a patch `w` x `h` mm (w along the rub), turned `angle` degrees, its centre
    `dx`, `dy` mm from the square's; `strength` of the graphite lifted on average, with
    `uneven` of it varying across the rub in streaks; `smear` the grey it leaves round the
    patch (darkening), reaching `reach` mm beyond it; `abrade` the paper's change under
    the patch (> 0 lighter, < 0 greyer); `ink` True: a ballpoint's mark (barely lifted)."""

    w: float = 8.0
    h: float = 6.0
    angle: float = 0.0
    dx: float = 0.0
    dy: float = 0.0
    strength: float = 0.85
    uneven: float = 0.3
    smear: float = 0.04
    reach: float = 1.5
    abrade: float = 0.01
    ink: bool = False
    seed: int = 0


def random_eraser(rng: np.random.Generator, ink: bool = False) -> Eraser:
    """A random rub over a square: 6-11 mm along, 4-8 across, any direction, the patch's
    centre up to 1.5 mm off the square's; lifting 70-97 % of the graphite on average, 10-35 %
    of that varying in streaks (a pencil mark of 0.3-0.55 leaves remnants of 0.01-0.3)."""
    return Eraser(
        w=float(rng.uniform(6.0, 11.0)),
        h=float(rng.uniform(4.0, 8.0)),
        angle=float(rng.uniform(0, 180)),
        dx=float(rng.uniform(-1.5, 1.5)),
        dy=float(rng.uniform(-1.5, 1.5)),
        strength=float(rng.uniform(0.7, 0.97)),
        uneven=float(rng.uniform(0.1, 0.35)),
        smear=float(rng.uniform(0.0, 0.08)),
        reach=float(rng.uniform(0.5, 2.5)),
        abrade=float(rng.uniform(-0.02, 0.03)),
        ink=ink,
        seed=int(rng.integers(1 << 30)),
    )


def _patch(
    shape: tuple[int, int], centre: tuple[float, float], scale: float, e: Eraser, grow: float
) -> np.ndarray:
    """The patch (1 inside, soft edge), grown `grow` mm each way along the rub (twice that)
    and across it."""
    layer = np.zeros(shape, np.float32)
    at = (round((centre[0] + e.dx * scale) * 16), round((centre[1] + e.dy * scale) * 16))
    axes = (round((e.w / 2 + 2 * grow) * scale * 16), round((e.h / 2 + grow) * scale * 16))
    cv2.ellipse(layer, at, axes, e.angle, 0, 360, 1.0, -1, cv2.LINE_AA, 4)
    return np.asarray(cv2.GaussianBlur(layer, (0, 0), max(0.3, SOFT_MM + grow / 2) * scale))


def _streaks(shape: tuple[int, int], scale: float, e: Eraser, rng: np.random.Generator) -> np.ndarray:
    """Noise in [0, 1] constant along the rub direction and varying across it (streaks
    0.2-0.6 mm wide), a little along it too."""
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = math.radians(e.angle)
    across = -xx * math.sin(a) + yy * math.cos(a)  # px across the rub
    n = int(across.max() - across.min()) + 2
    raw = rng.random(n).astype(np.float32)
    raw = np.asarray(cv2.GaussianBlur(raw.reshape(1, -1), (0, 0), 0.2 * scale), np.float32).ravel()
    line = ((raw - raw.min()) / max(1e-6, float(raw.max() - raw.min()))).astype(np.float32)
    out = line[(across - across.min()).astype(np.int32)]
    fine = np.asarray(cv2.GaussianBlur(rng.random(shape).astype(np.float32), (0, 0), 0.3 * scale))
    noise = (fine - fine.mean()) / max(1e-6, float(fine.std()))
    return np.asarray(np.clip(0.8 * out + 0.04 * noise + 0.1, 0, 1), np.float32)


def erase(
    clean: np.ndarray, marked: np.ndarray, centre: tuple[float, float], scale: float, e: Eraser
) -> np.ndarray:
    """`marked` with its mark (its difference from `clean`) rubbed out by `e` round `centre`
    (px), `scale` px per mm. Works on a cut round the square; the rest is `marked`."""
    rng = np.random.default_rng(e.seed)
    half = int((max(e.w, e.h) / 2 + 2 * e.reach + 4 + 2) * scale)
    x0, y0 = max(0, round(centre[0]) - half), max(0, round(centre[1]) - half)
    x1, y1 = min(clean.shape[1], round(centre[0]) + half), min(clean.shape[0], round(centre[1]) + half)
    c = clean[y0:y1, x0:x1].astype(np.float32)
    m = marked[y0:y1, x0:x1].astype(np.float32)
    at = (centre[0] - x0, centre[1] - y0)
    d = np.clip(1 - m / np.maximum(c, 1), 0, 1)  # the mark's darkening
    patch = _patch(c.shape, at, scale, e, 0.0)
    lift_max = INK_LIFT if e.ink else 1.0
    lift = np.clip(e.strength * (1 - e.uneven + e.uneven * 2 * _streaks(c.shape, scale, e, rng)), 0, lift_max)
    remnant = d * (1 - lift * patch)
    grain = np.asarray(
        cv2.GaussianBlur(rng.uniform(0.4, 1.0, c.shape).astype(np.float32), (0, 0), 0.08 * scale)
    )
    around = _patch(c.shape, at, scale, e, e.reach)
    smear = e.smear * np.clip(around * 1.2, 0, 1) * grain
    texture = 1 + 0.025 * np.asarray(
        cv2.GaussianBlur(rng.standard_normal(c.shape).astype(np.float32), (0, 0), 0.7)
    )
    paper = c * (1 + (e.abrade * patch) + (texture - 1) * patch)
    out = marked.copy()
    out[y0:y1, x0:x1] = np.clip(paper * (1 - remnant) * (1 - smear), 0, 255).astype(np.uint8)
    return out
