"""The title side's known print behind a square (issue 10, the tenth pass: show10).

The title side's print is known exactly: it is rendered from the signed election package
(`kiosk.ballots.render.render_side_grey(layout, "front", dpi)`, the same render the
printer got). Through thin paper it shows on the back mirrored left to right (the page
turned over about its vertical axis), diffused by the paper, at a few per cent of the
light. So the reader knows where that print falls behind each square's window.

- `title_print(layout)`: the front's print mirrored into the back's page coordinates, as
  darkness 0-1 at MAP_DPI; rendered once per layout (cached by identity, holding the
  layout), and only when a square is in doubt.
- `window_print(...)`: that print in a square's window in the image's pixels: anchored at
  the square's own registered centre, turned and scaled by the similarity the squares'
  centres give (`lines7.page_frame`: skew, a 180-degree feed), so the only error left is
  registration's (a fraction of a mm) and the paper's diffusion.

Two rules:

(a) `strokes_on_print`: a settle rule (settle7, marks8, pencil9) reads a square `marked`
    only when the square's stroke pixels (`settle7.stroke_pixels`) do not lie on the known
    print: when more than ON_PRINT_SHARE of them lie within TOLERANCE_MM of it the square
    stays in review (a letter of the title side at 0.15 of the light has two "arms").
    The same on the score's own path (`print_only`): a square read `marked` with a score
    under ON_PRINT_SCORE_MAX whose strokes lie on the print goes to review (the title side
    through paper far thinner than a ballot's scores `marked` on the print alone).
(b) `explained_by_print`: a square in doubt (`marginal_mark`) whose darkness is, pixel by
    pixel, the known print (the best shift within SHIFT_MM, diffused by one of DIFFUSE_MM,
    times one contrast from C_RANGE, plus at most OFFSET_MAX of uniform darkening) with
    nothing left over (`residual` under RESIDUAL_MAX everywhere inside the square, box
    means of RESIDUAL_BOX_MM) is settled `empty`. fix10: asked only of empty8's squares
    (score under `marked` and `empty8.CEIL`, no `settle7.pen_dot`), the border's zone
    explained too (`region`), OFFSET_MAX 0.01. Proof that nothing left over could be a
    hand's mark: a hand's stroke that crosses the print or lies beside it is darkness the
    print does not predict; it stays in the residual and keeps the square in review.

Where it stops: a stroke that lies exactly on a letter's stroke, as wide and no darker
than the show-through itself, cannot be told from it (nor could a human with the sheet
under a lamp, without turning it over); a stroke darker than C_RANGE's top, or any
stroke off the print, is never explained away. The map knows only the printed title side:
nothing written on the front by hand (the ballot's marks are on the back only; the front
carries no voting squares) and not the paper's thickness (hence one contrast fitted per
square, bounded by C_RANGE).

`reference.explained_by_print_reference` is `fit` in plain loops over every shift
(tests/test_show10.py checks they agree).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

import cv2
import numpy as np

from kiosk.ballots.layout import TARGET, BallotLayout
from kiosk.ballots.render import render_side_grey
from kiosk.reading import crop, empty8, settle7
from kiosk.reading.model import MarkReading

ENABLED = True

MAP_DPI = 300  # the title side's print is rendered at this resolution, once per layout
PRINT_LEVEL = 0.25  # a map pixel is print: its (undiffused) darkness at least this of black
TOLERANCE_MM = 0.45  # rule (a): a stroke pixel this close to the print lies on it
ON_PRINT_SHARE = 0.8  # rule (a): more than this share of the stroke pixels on print: no settle
# (the print itself: 1.0 at 0.3-0.5 of the light; a pen tick across the print: 0-0.53)
ON_PRINT_SCORE_MAX = 0.12  # rule (a), the score's path: a `marked` square under this score is asked
# too (the title side at 0.3-0.5 of the light, sharp, scores 0.063-0.099 in MZ-LIST/AST-LIST
# square 2; the clean deck's lightest tick scores 0.108, but light pencil from 0.063)
SHIFT_MM = 0.5  # rule (b): registration error searched, each axis
SHIFT_STEP_MM = 0.1
DIFFUSE_MM = (0.1, 0.2, 0.3, 0.4)  # rule (b): the paper's diffusion tried (a Gaussian's sigma)
C_RANGE = (0.02, 0.22)  # rule (b): the fitted show-through contrast must lie in this range
OFFSET_MAX = 0.01  # rule (b): uniform darkening of the inside allowed in the fit (fix10: was 0.03,
# which soaked up a faint fill of 0.03-0.05)
RESIDUAL_BOX_MM = 0.25  # rule (b): the residual's box mean, this wide
RESIDUAL_MAX = 0.06  # rule (b): ... stays under this everywhere inside the square (noise: 0.045)
TRACE_LEVEL = 0.025  # rule (b): a residual this high (2.5 sigma of the scan's noise) ...
TRACE_AREA_MM2 = 0.25  # ... joined over this area would be a faint stroke: review
LINE_MM = 2.5  # rule (b): a faint straight stroke: the residual's mean along a line this long ...
LINE_LEVEL = 0.02  # ... at least this (a 0.03 pencil stroke; empty squares of the corpus: 0.011-0.016)
LINE_STEP_DEG = 15
MIN_PRINT_SHARE = 0.02  # rule (b): the print (grown by SHIFT_MM) covers at least this share of the inside
REASONS = empty8.DOUBT_REASONS  # rule (b) answers the empty settles' doubts
REGION_MM = TARGET / 2 + 1.2  # rule (b): the window explained (the fast score's window) ...
BORDER_MM = (
    TARGET / 2 + 0.5
)  # ... but the printed border's zone, as `inspect` has it  # rule (b): the doubts it may settle
INSIDE_MM = crop.INSIDE_MM  # the inside, as `inspect` has it (one place: crop)
AROUND_MM = settle7.AROUND_MM
OWN_PAD_MM = 0.15  # fix10: rule (b) leaves out the back's own print grown by this only (was
# TOLERANCE_MM and the whole border zone: a loop traced over the border went unseen)


class _Held:
    """A cache entry holding its layout, so an id is not reused while it is there."""

    def __init__(self, layout: BallotLayout, value: np.ndarray) -> None:
        self.layout = layout
        self.value = value


_MAPS: dict[int, _Held] = {}


def title_print(layout: BallotLayout) -> np.ndarray:
    """The front's print as the back sees it: mirrored left to right, darkness 0-1, float32,
    at MAP_DPI (page mm x MAP_DPI / 25.4 = pixel), not diffused. Cached per layout."""
    hit = _MAPS.get(id(layout))
    if hit is not None and hit.layout is layout:
        return hit.value
    front = render_side_grey(layout, "front", MAP_DPI)
    dark = (255.0 - np.ascontiguousarray(front[:, ::-1]).astype(np.float32)) / 255.0
    dark.setflags(write=False)
    if len(_MAPS) >= 32:
        _MAPS.clear()
    _MAPS[id(layout)] = _Held(layout, dark)
    return dark


_OWN: dict[int, _Held] = {}


def own_print(layout: BallotLayout) -> np.ndarray:
    """The back's own print (the squares' borders, the rules, the text), darkness 0-1 at
    MAP_DPI, cached per layout: rule (b) leaves it out of what it must explain."""
    hit = _OWN.get(id(layout))
    if hit is not None and hit.layout is layout:
        return hit.value
    back = render_side_grey(layout, "back", MAP_DPI)
    dark = (255.0 - back.astype(np.float32)) / 255.0
    dark.setflags(write=False)
    if len(_OWN) >= 32:
        _OWN.clear()
    _OWN[id(layout)] = _Held(layout, dark)
    return dark


def window_print(
    layout: BallotLayout,
    index: int,
    centre: tuple[float, float],
    scale: float,
    turn: complex,
    shape: tuple[int, int],
    origin: tuple[int, int],
    side: str = "front",
) -> np.ndarray:
    """The title side's print (darkness 0-1) over an image window of `shape` whose pixel
    (0, 0) is the image's `origin` (x, y): the square `index`'s page centre at its image
    `centre`, the page turned by `turn` (a unit complex: image = turn x page, y down) and
    scaled `scale` px/mm. Bilinear, zero off the page. `side` "back": the back's own print
    (`own_print`) instead."""
    t = layout.targets[index].box
    m = MAP_DPI / 25.4
    inv = 1.0 / (turn * scale)  # image px -> page mm
    p, q = inv.real, inv.imag
    # page_mm = c_mm + (p - iq style complex product) of (img - c_img):
    # x_mm = cx + p dx - q dy, y_mm = cy + q dx + p dy; map px = m x mm (pixel centres at +0.5)
    dx0 = origin[0] - centre[0]
    dy0 = origin[1] - centre[1]
    a = np.array(
        [
            [m * p, -m * q, m * (t.cx + p * dx0 - q * dy0) - 0.5],
            [m * q, m * p, m * (t.cy + q * dx0 + p * dy0) - 0.5],
        ],
        dtype=np.float64,
    )
    src = title_print(layout) if side == "front" else own_print(layout)
    out: np.ndarray = cv2.warpAffine(
        src, a, (shape[1], shape[0]), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderValue=0.0
    )
    return out


@lru_cache(maxsize=64)
def _disc(r: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))


def print_mask(dark: np.ndarray, scale: float, tolerance_mm: float = TOLERANCE_MM) -> np.ndarray:
    """Where the print is (darkness at least PRINT_LEVEL), grown by `tolerance_mm`."""
    on: np.ndarray = (dark >= PRINT_LEVEL).astype(np.uint8)
    r = max(0, math.ceil(tolerance_mm * scale))
    if r > 0:
        on = np.asarray(cv2.dilate(on, _disc(r)))
    out: np.ndarray = on.astype(bool)
    return out


def _turn(page: object) -> complex | None:
    frame = getattr(page, "frame", None)
    if frame is None:
        return None
    a = complex(frame.a)
    return a / abs(a) if abs(a) > 0 else None


def has_print(layout: BallotLayout, index: int) -> bool:
    """Does any of the title side's print fall behind square `index`'s neighbourhood (page
    coordinates, TOLERANCE_MM + SHIFT_MM of slack)? Cached per layout."""
    return _behind(layout)[index]


_NEAR: dict[tuple[int, float, float], tuple[BallotLayout, tuple[bool, ...]]] = {}


def print_near(layout: BallotLayout, reach_mm: float, level: float) -> tuple[bool, ...]:
    """Per square of `layout`: is a pixel of the title side's map at least `level` dark
    within `reach_mm` (each axis) of its centre? Cached per (layout, reach, level); rule (a)
    and pencil11 ask it with their own reach and level."""
    key = (id(layout), reach_mm, level)
    hit = _NEAR.get(key)
    if hit is not None and hit[0] is layout:
        return hit[1]
    dark = title_print(layout)
    m = MAP_DPI / 25.4
    out = []
    for t in layout.targets:
        x0, x1 = max(0, int((t.box.cx - reach_mm) * m)), int((t.box.cx + reach_mm) * m) + 1
        y0, y1 = max(0, int((t.box.cy - reach_mm) * m)), int((t.box.cy + reach_mm) * m) + 1
        part = dark[y0:y1, x0:x1]
        out.append(bool(part.size) and float(part.max()) >= level)
    if len(_NEAR) >= 32:
        _NEAR.clear()
    _NEAR[key] = (layout, tuple(out))
    return tuple(out)


def _behind(layout: BallotLayout) -> tuple[bool, ...]:
    return print_near(layout, AROUND_MM + TOLERANCE_MM + SHIFT_MM, PRINT_LEVEL)


def strokes_on_print(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    levels: np.ndarray,
    gain: float,
    layout: BallotLayout,
    index: int,
    page: object,
) -> bool:
    """Rule (a): do the square's stroke pixels (as the settle rules see them) lie on the
    title side's known print: more than ON_PRINT_SHARE of them within TOLERANCE_MM? Asked
    only when a settle rule has said `marked`. False when the module is off, no print is
    behind the square or the sheet's frame is unknown... except the last: no frame, no
    settle over print (True when print is behind it)."""
    if not ENABLED or not has_print(layout, index):
        return False
    turn = _turn(page)
    if turn is None:
        return True
    at = (float(centre[0]), float(centre[1]))
    got = settle7.stroke_pixels(image, at, scale, float(np.max(levels)), gain)
    if got is None:
        return True
    win, xs, ys, _box, _inside, _c, py, px = got
    if len(px) == 0:
        return False
    x0 = round(at[0] + float(xs[0, 0]))  # the window's origin in the image (xs: offsets from `at`)
    y0 = round(at[1] + float(ys[0, 0]))
    dark = window_print(layout, index, at, scale, turn, win.shape, (x0, y0))
    on = print_mask(dark, scale)
    share = float(on[py, px].mean())
    return share > ON_PRINT_SHARE


def observed(win: np.ndarray, paper: float, gain: float) -> np.ndarray:
    """Each pixel's darkness as ink against `paper` (0 = paper)."""
    out: np.ndarray = gain * (1.0 - win.astype(np.float64) / max(1.0, paper))
    return out


def _box(a: np.ndarray, scale: float) -> np.ndarray:
    k = max(1, round(RESIDUAL_BOX_MM * scale) | 1)
    out: np.ndarray = cv2.blur(a, (k, k), borderType=cv2.BORDER_REPLICATE)
    return out


def fit(obs: np.ndarray, model: np.ndarray, inside: np.ndarray) -> tuple[float, float, float] | None:
    """Least squares obs ~ c0 + c model over `inside`: (c0, c, the sum of squares), or None
    when the model is flat there."""
    y = obs[inside]
    return _fit_xy(model[inside], y, float(y.mean()) if len(y) else 0.0)


def _fit_xy(x: np.ndarray, y: np.ndarray, my: float) -> tuple[float, float, float] | None:
    """`fit` on the model's values `x` and the scan's `y` inside (row-major), `my` y's mean."""
    n = float(len(x))
    if n < 3:
        return None
    mx = float(x.mean())
    vx = float(((x - mx) ** 2).sum())
    if vx <= 1e-9:
        return None
    c = float(((x - mx) * (y - my)).sum()) / vx
    c0 = my - c * mx
    ss = float(((y - c0 - c * x) ** 2).sum())
    return c0, c, ss


def explained_by_print(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    levels: np.ndarray,
    gain: float,
    layout: BallotLayout,
    index: int,
    page: object,
) -> bool:
    """Rule (b): is everything dark inside the square the title side's print (shifted at
    most SHIFT_MM, diffused by one of DIFFUSE_MM, one contrast in C_RANGE, at most
    OFFSET_MAX of uniform darkening), nothing left over (the residual's box mean under
    RESIDUAL_MAX at every pixel inside)?"""
    if not ENABLED or not has_print(layout, index):
        return False
    got = explain(image, centre, scale, levels, gain, layout, index, page)
    if got is None:
        return False
    c0, c, resid, patch = got
    return (
        C_RANGE[0] <= c <= C_RANGE[1]
        and abs(c0) <= OFFSET_MAX
        and resid < RESIDUAL_MAX
        and patch < TRACE_AREA_MM2
    )


def explain(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    levels: np.ndarray,
    gain: float,
    layout: BallotLayout,
    index: int,
    page: object,
) -> tuple[float, float, float, float] | None:
    """The best fit of the known print over the square's region (`region`): (offset,
    contrast, the largest residual box mean there, the largest patch left over in mm^2),
    or None (no frame, too near the image's edge, too little print in the region)."""
    turn = _turn(page)
    if turn is None:
        return None
    at = (float(centre[0]), float(centre[1]))
    reach = math.ceil((REGION_MM + SHIFT_MM + 3 * max(DIFFUSE_MM)) * scale) + 2
    x0, y0 = round(at[0]) - reach, round(at[1]) - reach
    hh, ww = image.shape[:2]
    if x0 < 0 or y0 < 0 or x0 + 2 * reach + 1 > ww or y0 + 2 * reach + 1 > hh:
        return None
    win = image[y0 : y0 + 2 * reach + 1, x0 : x0 + 2 * reach + 1]
    obs = _box(observed(win, float(np.max(levels)), gain), scale)
    dark = window_print(layout, index, at, scale, turn, win.shape, (x0, y0)).astype(np.float64)
    own = window_print(layout, index, at, scale, turn, win.shape, (x0, y0), "back")
    inside = region(win.shape, (at[0] - x0, at[1] - y0), scale, own)
    if float(print_mask(dark, scale, SHIFT_MM)[inside].mean()) < MIN_PRINT_SHARE:
        return None
    return best_fit(obs, dark, inside, scale)


def region(shape: tuple[int, int], at: tuple[float, float], scale: float, own: np.ndarray) -> np.ndarray:
    """The pixels rule (b) must explain: the square's window (REGION_MM from its centre,
    the fast score's window) but the back's own print (`own`: the printed border, rules,
    text) grown by OWN_PAD_MM. fix10: the paper along and between the border's lines is
    explained too (it was left out, from INSIDE_MM to BORDER_MM, with the own print grown
    by TOLERANCE_MM: a pencil loop traced over the border or a stroke along it was
    invisible to the fit)."""
    xs, ys = np.arange(shape[1])[None, :] - at[0], np.arange(shape[0])[:, None] - at[1]
    box = np.maximum(np.abs(xs), np.abs(ys))
    out: np.ndarray = (box <= REGION_MM * scale) & ~print_mask(own, scale, OWN_PAD_MM)
    return out


def shifts(scale: float) -> list[tuple[int, int]]:
    """The whole-pixel shifts tried (each axis within SHIFT_MM, SHIFT_STEP_MM apart)."""
    n = round(SHIFT_MM / SHIFT_STEP_MM)
    steps = sorted({round(k * SHIFT_STEP_MM * scale) for k in range(-n, n + 1)})
    return [(sx, sy) for sy in steps for sx in steps]


def best_fit(
    obs: np.ndarray, dark: np.ndarray, inside: np.ndarray, scale: float
) -> tuple[float, float, float, float] | None:
    """Over every diffusion and shift: the fit with the least sum of squares inside; its
    (c0, c, the largest residual box mean inside, the patch left over: `left_over` or
    `along`'s stroke, mm^2)."""
    got = fit_residual(obs, dark, inside, scale)
    if got is None:
        return None
    c0, c, resid = got
    return (
        c0,
        c,
        float(resid[inside].max()),
        max(left_over(resid, inside, scale), along(resid, inside, scale)),
    )


def fit_residual(
    obs: np.ndarray, dark: np.ndarray, inside: np.ndarray, scale: float
) -> tuple[float, float, np.ndarray] | None:
    """The best fit (least squares inside, over every diffusion and shift): c0, c and the
    residual obs - c0 - c x the model."""
    best: tuple[float, float, float, np.ndarray, int, int] | None = None  # c0, c, ss, diffused, sx, sy
    # session 64: each shift's model read at the inside's pixels only (np.roll's values there:
    # rolled[i, j] = diffused[(i - sy) % h, (j - sx) % w]), the scan's inside and mean once
    iy, ix = np.nonzero(inside)
    h, w = inside.shape
    y = obs[iy, ix]
    my = float(y.mean()) if len(y) else 0.0
    moves = shifts(scale)
    at = [((iy - sy) % h) * w + (ix - sx) % w for sx, sy in moves]  # each shift's flat indices
    for sigma in DIFFUSE_MM:
        diffused = _box(cv2.GaussianBlur(dark, (0, 0), sigma * scale), scale)
        flat = diffused.ravel()
        for (sx, sy), idx in zip(moves, at, strict=True):
            got = _fit_xy(flat[idx], y, my)
            if got is None:
                continue
            if best is None or got[2] < best[2]:
                best = (got[0], got[1], got[2], diffused, sx, sy)
    if best is None:
        return None
    c0, c, _ss, diffused, sx, sy = best
    return c0, c, obs - c0 - c * np.roll(diffused, (sy, sx), axis=(0, 1))


def fit_residual_reference(
    obs: np.ndarray, dark: np.ndarray, inside: np.ndarray, scale: float
) -> tuple[float, float, np.ndarray] | None:
    """`fit_residual` as the tenth pass wrote it (each shift's whole model rolled, then `fit`)."""
    best: tuple[float, float, float, np.ndarray] | None = None  # c0, c, ss, model
    for sigma in DIFFUSE_MM:
        diffused = _box(cv2.GaussianBlur(dark, (0, 0), sigma * scale), scale)
        for sx, sy in shifts(scale):
            model = np.roll(diffused, (sy, sx), axis=(0, 1))
            got = fit(obs, model, inside)
            if got is None:
                continue
            if best is None or got[2] < best[2]:
                best = (got[0], got[1], got[2], model)
    if best is None:
        return None
    c0, c, _ss, model = best
    return c0, c, obs - c0 - c * model


@lru_cache(maxsize=256)
def _line_kernels(length: int) -> tuple[np.ndarray, ...]:
    """Line kernels `length` px long (1 px wide, antialiased), every LINE_STEP_DEG, each
    summing to 1."""
    out = []
    c = length // 2 + 1
    for deg in range(0, 180, LINE_STEP_DEG):
        k = np.zeros((2 * c + 1, 2 * c + 1), np.float32)
        a = math.radians(deg)
        dx, dy = math.cos(a) * length / 2, math.sin(a) * length / 2
        p0 = (round((c - dx) * 16), round((c - dy) * 16))
        p1 = (round((c + dx) * 16), round((c + dy) * 16))
        cv2.line(k, p0, p1, 1.0, 1, cv2.LINE_AA, 4)
        out.append(k / max(1e-6, float(k.sum())))
    return tuple(out)


def along(resid: np.ndarray, inside: np.ndarray, scale: float) -> float:
    """A faint straight stroke left over: the largest mean of the residual along a line
    LINE_MM long (any direction, LINE_STEP_DEG apart) centred inside the square, as mm^2
    of TRACE_AREA_MM2's scale: the mean over LINE_LEVEL counts as TRACE_AREA_MM2 (a
    stroke), else 0."""
    length = max(3, round(LINE_MM * scale))
    r32 = np.where(inside, resid, 0.0).astype(np.float32)  # the printed border is not residual
    best = -1.0
    for k in _line_kernels(length):
        m = cv2.filter2D(r32, -1, k, borderType=cv2.BORDER_REPLICATE)
        best = max(best, float(m[inside].max()))
    return TRACE_AREA_MM2 if best >= LINE_LEVEL else 0.0


def left_over(resid: np.ndarray, inside: np.ndarray, scale: float) -> float:
    """The largest connected patch (mm^2) inside the square whose residual box mean is at
    least TRACE_LEVEL: what a hand's faint stroke would leave once the print is explained."""
    on = ((resid >= TRACE_LEVEL) & inside).astype(np.uint8)
    if not on.any():
        return 0.0
    _n, _lab, stats, _cent = cv2.connectedComponentsWithStats(on, connectivity=8)
    return float(stats[1:, cv2.CC_STAT_AREA].max()) / (scale * scale)


def print_only(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    paper: np.ndarray,
    gain: float,
    marks: list[MarkReading],
    layout: BallotLayout,
    page: object,
    marked: float = empty8.CEIL,
    held: Sequence[int] = (),
) -> list[MarkReading]:
    """After the loop, over a side's marks: rule (b), each square in review as one of
    REASONS (by the closer look or a second look) with the title side's print behind it
    and everything dark in it that print (`explained_by_print`) reads `empty`; and rule
    (a) on the score's path: a square read `marked` under ON_PRINT_SCORE_MAX whose
    strokes lie on the print (`strokes_on_print`) goes to review. fix10: rule (b) asks
    only empty8's squares (score under min(`marked`, `empty8.CEIL`), no hesitation dot by
    `settle7.pen_dot`). stroke30: rule (b) never asks a `held` square (stroke28's yes: only
    ever review)."""
    if not ENABLED:
        return marks
    out = list(marks)
    for i, m in enumerate(marks):
        if m.mark == "marked" and m.score < ON_PRINT_SCORE_MAX and has_print(layout, i):
            # Rule (a) on the score's own path: a light `marked` square whose strokes lie on
            # the print (the title side through paper far thinner than a ballot's) is
            # the commission's.
            if strokes_on_print(image, centres[i], float(scales[i]), paper[i], gain, layout, i, page):
                out[i] = replace(m, mark="marginal", reason="marginal_mark")
            continue
        # fix10: empty8's gate (a square scoring `marked` is never settled empty)
        if not empty8.in_doubt(m.mark, m.reason, m.score, marked) or not has_print(layout, i) or i in held:
            continue
        at, white = (float(centres[i][0]), float(centres[i][1])), float(np.max(paper[i]))
        if settle7.pen_dot(image, at, float(scales[i]), white, gain):
            continue  # fix10: a hesitation dot is the commission's (empty8's gate)
        if explained_by_print(image, centres[i], float(scales[i]), paper[i], gain, layout, i, page):
            out[i] = replace(m, mark="empty", reason=None)
    return out
