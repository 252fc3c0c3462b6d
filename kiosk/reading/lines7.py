"""A line of the paper against a hand's stroke (issue 10, the seventh pass: lines7).

The sixth pass's rule took a straight band through the window for the paper's (a fold, a
crease, a scanner streak, show-through) when it went on 1-4 mm beyond the window and was
not gone 4-10 mm beyond it. It was blind to a hand's stroke that is straight and long: a
pencil line ruled through the square 8-12 mm beyond the window at both ends read `empty`
(the red team's cases, tests/test_redteam6.py), and a tick's arm or a dash drawn along a
fold or a streak was taken out with the line's band. Two facts of the paper were not asked:

- **It runs from edge to edge.** A fold crosses the whole sheet, a crease too, a scanner
  streak the whole scan. `ends_on_sheet` follows the line from the window outwards,
  segment by segment (TRACE_SEG_MM, the offset searched TRACE_SIDE_MM either side, so a
  line a degree off its fitted angle is still followed), to the sheet's edge (less a
  margin for the page's frame, which the reader knows only from the squares' centres) or
  the image's: if on paper it is gone for TRACE_GAP_MM on end, it ended on the sheet, as
  a hand's line does. Segments over print (a name, a timing mark, the next square) are not
  judged, and a line too faint beyond the window to follow (under TRACE_MIN) is not judged.
- **It is the same all along its length.** A fold's valley, a crease, a streak have one
  level along the line; `stroke_along` compares the line through the square with the same
  line beyond the window (its own level, measured where nothing but the paper is): a run
  of at least ALONG_RUN_MM in the square darker than that by ALONG_MORE (a tick's arm
  under a streak, a dash on a fold) is a hand's stroke lying on the line.

Either sends the square to the commission (`marginal_mark`): never `marked` on this alone,
and a square read `empty` before stays so unless one of them fires.

Both measure one statistic (`contrast_grid`): at each position, 1 - the darkest pixel
within PATH_NEAR_MM of the path / the mean of the darkest within PATH_NEAR_MM of the two
paths BESIDE_MM to each side (noise alone gives about 0, as `inspect._path_contrast`);
positions with print beside or on the path are left out. `reference.contrast_grid_reference`
(the `# lines7` block) computes it in plain loops; tests/test_lines7.py checks they agree.

Where it stops: a line ruled by a voter across the whole sheet, edge to edge, is taken for
a fold (nothing on the image tells them apart but the graphite's grain, which a JPEG at
150 dpi loses); a line fainter than TRACE_MIN beyond the window is not followed (the
sixth pass's tests alone judge it); a stroke along a line fainter than ALONG_MORE above
the line's level, or shorter than ALONG_RUN_MM, is the line's.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from kiosk.ballots.layout import TARGET, TARGET_STROKE, BallotLayout
from kiosk.reading import kernels, own39, speed32

PATH_NEAR_MM = 0.3  # the darkest pixel this close to a path is the path's
BESIDE_MM = 1.2  # the paper beside a line, each side (as `inspect.BESIDE_MM`)
PRINT_DARK = 0.45  # a sample this much darker than the paper is print (`inspect.LINE_FAINT`)
BESIDE_DARK = 0.15  # the paper beside a path this much darker: print or a mark there, not judged
BESIDE_DARKER = 0.05  # the paths beside this much darker than the path: not judged either
STEP_MM = 0.25  # positions along a path
TRACE_SEG_MM = 2.0  # the line followed segment by segment
TRACE_SIDE_MM = 0.4  # each segment's offset searched this far either side of the last
TRACE_START_MM = 1.0  # from this far beyond the window
TRACE_OWN_MM = 6.0  # the line's own level: the segments this far beyond the window
TRACE_MIN = 0.06  # a line fainter than this beyond the window is not followed
TRACE_GONE = 0.35  # a segment under this share of the line's own level: the line is not there
TRACE_GAP_MM = 4.0  # gone this long on end, on paper: the line ended on the sheet
TRACE_JUDGED = 0.5  # of a segment's positions on paper (not print, on the image) to judge it
PAGE_MARGIN_MM = 3.0  # the trace stops this far inside the sheet's edge ...
PAGE_SLACK = 0.04  # ... plus this share of the distance from the squares' column (stretch)
TRACE_EDGE_MM = 6.0  # a line must be gone before the trace's last this many mm as well
ALONG_RUN_MM = 2.0  # a stroke on a line: at least this long ...
ALONG_MORE = 0.05  # ... and this much darker than the line's own level beyond the window
ALONG_SHARE = 0.35  # ... or this share of that level, whichever is more


@dataclass(frozen=True)
class Page:
    """Where the sheet is in the image: page mm = (image px - b) / a (complex numbers,
    a similarity fitted to the squares' centres), the page's size and the squares' column
    (mm from the left edge)."""

    a: complex
    b: complex
    width_mm: float
    height_mm: float
    column_mm: float

    def inside(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Which image points lie on the sheet, PAGE_MARGIN_MM (and the slack) inside its edge."""
        z = (x + 1j * y - self.b) / self.a
        u, v = z.real, z.imag
        m = PAGE_MARGIN_MM + PAGE_SLACK * np.abs(u - self.column_mm)
        out: np.ndarray = (u >= m) & (u <= self.width_mm - m) & (v >= m) & (v <= self.height_mm - m)
        return out

    def inside_at(self, x: float, y: float) -> bool:
        """`inside` for one point, the same answer (`kernels._page_inside`, numpy's complex
        division), without making arrays (stroke34: the whole-line follow asks once a block)."""
        a, b = self.a, self.b
        return bool(
            kernels._page_inside(
                x,
                y,
                a.real,
                a.imag,
                b.real,
                b.imag,
                self.width_mm,
                self.height_mm,
                self.column_mm,
                PAGE_MARGIN_MM,
                PAGE_SLACK,
            )
        )


@dataclass(frozen=True)
class PageSource:
    """What `page_frame` needs, handed to the closer look on every side; the frame is
    fitted only when a line is followed (`frame`), so a sheet with none pays nothing."""

    centres_mm: Callable[[], np.ndarray]
    centres_px: np.ndarray
    width_mm: float
    height_mm: float
    layout: BallotLayout | None = None  # show43: whose title side shows through (None: not known)

    @cached_property
    def frame(self) -> Page | None:
        return page_frame(self.centres_mm(), self.centres_px, self.width_mm, self.height_mm)


def page_frame(
    centres_mm: np.ndarray, centres_px: np.ndarray, width_mm: float, height_mm: float
) -> Page | None:
    """The similarity (rotation, scale, shift) that takes the squares' centres on the page
    (mm) to the image (px), least squares; None with fewer than two squares."""
    if len(centres_mm) < 2:
        return None
    zm = centres_mm[:, 0] + 1j * centres_mm[:, 1]
    zp = centres_px[:, 0] + 1j * centres_px[:, 1]
    mm, mp = zm.mean(), zp.mean()
    dm, dp = zm - mm, zp - mp
    norm = float((np.abs(dm) ** 2).sum())
    if norm <= 0:
        return None
    a = complex((np.conj(dm) * dp).sum() / norm)
    if abs(a) < 1e-9:
        return None
    return Page(a, complex(mp - a * mm), width_mm, height_mm, float(centres_mm[:, 0].mean()))


def contrast_grid(
    image: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    nx: float,
    ny: float,
    shifts: np.ndarray,
    scale: float,
    dark_on: bool = False,
) -> np.ndarray:
    """For each whole-pixel shift across the path (rows) and each position (px, py)
    (columns): 1 - the darkest pixel within PATH_NEAR_MM of the shifted path / the mean of
    the darkest within PATH_NEAR_MM of the paths BESIDE_MM to each side of it. nan where a
    sample is off the image, or print is in the cross-section: a pixel from one side's path
    to the other's PRINT_DARK darker than the paper (the 75th percentile of every sample),
    a side's path BESIDE_DARK darker, or the sides BESIDE_DARKER darker than the path
    (print or a mark beside it: the paper there says nothing about the line). `dark_on`:
    the path and the pixels between it and the paths beside it are not tested for print
    (a pen or pencil stroke lying on the line, which `stroke_along` looks for)."""
    hh, ww = image.shape
    near = max(1, round(PATH_NEAR_MM * scale))
    b = round(BESIDE_MM * scale)
    lo = int(shifts.min()) - b - near
    hi = int(shifts.max()) + b + near
    js = np.arange(lo, hi + 1)
    qx = np.rint(px[None, :] + js[:, None] * nx).astype(np.int64)
    qy = np.rint(py[None, :] + js[:, None] * ny).astype(np.int64)
    ok = (qx >= 0) & (qy >= 0) & (qx < ww) & (qy < hh)
    g = np.full(qx.shape, np.nan)
    g[ok] = image[qy[ok], qx[ok]]
    out = np.full((len(shifts), len(px)), np.nan)
    if not ok.any():
        return out
    level = float(np.percentile(g[ok], 75))  # the paper: most of the cross-sections are paper
    # the darkest within `near` of each row j (nan if any is off the image)
    k = 2 * near + 1
    dark = np.stack([g[i : i + len(js) - k + 1] for i in range(k)]).min(axis=0)
    base = -lo - near  # the row of `dark` for shift 0
    for r, sh in enumerate(shifts.tolist()):
        on, left, right = dark[sh + base], dark[sh - b + base], dark[sh + b + base]
        across = g[sh - b - near - lo : sh + b + near - lo + 1].min(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            v = 1.0 - on / np.maximum((left + right) / 2, 1.0)
            printed = (
                ((across <= (1.0 - PRINT_DARK) * level) & (not dark_on))
                | (np.minimum(left, right) <= (1.0 - BESIDE_DARK) * level)
                | (v < -BESIDE_DARKER)
            )
        v[printed | ~np.isfinite(v)] = np.nan
        out[r] = v
    return np.asarray(out)


def _segments(
    image: np.ndarray,
    start: tuple[float, float],
    d: tuple[float, float],
    n: tuple[float, float],
    scale: float,
    page: Page,
) -> list[float]:
    """Follow a line from `start` along `d`, segment by segment, each at the offset across
    (`n`) within TRACE_SIDE_MM of the last that shows it darkest: each segment's median
    contrast (nan: not judged), until the sheet's edge or the image's. One compiled call
    (`kernels.trace_segments`, field19); `reference.segments_reference` is the numpy code
    it replaced, segment by segment through `contrast_grid`, and tests/test_field19.py
    checks they agree to the bit."""
    ts = np.arange(0.0, TRACE_SEG_MM, STEP_MM) * scale
    side = max(1, round(TRACE_SIDE_MM * scale))
    near = max(1, round(PATH_NEAR_MM * scale))
    b = round(BESIDE_MM * scale)
    frame = np.array(
        [page.a.real, page.a.imag, page.b.real, page.b.imag, page.width_mm, page.height_mm, page.column_mm]
    )
    consts = np.array(
        [
            TRACE_SEG_MM * scale,
            PAGE_MARGIN_MM,
            PAGE_SLACK,
            TRACE_JUDGED,
            1.0 - PRINT_DARK,
            1.0 - BESIDE_DARK,
            -BESIDE_DARKER,
            TRACE_MIN * TRACE_GONE,
        ]
    )
    out = kernels.trace_segments(
        np.ascontiguousarray(image),
        float(start[0]),
        float(start[1]),
        float(d[0]),
        float(d[1]),
        float(n[0]),
        float(n[1]),
        ts,
        side,
        near,
        b,
        frame,
        consts,
    )
    return [float(v) for v in out]


def _own_level(segs: list[float], within_mm: float = TRACE_OWN_MM, least: int = 2) -> float:
    """The line's own level: the median of the judged segments within `within_mm`, nan
    unless at least `least` are judged (one segment may be where another line crosses it)."""
    first = [v for v in segs[: max(1, int(within_mm / TRACE_SEG_MM))] if math.isfinite(v)]
    return float(np.median(first)) if len(first) >= least else math.nan


def own_levels(lo: list[float], hi: list[float]) -> list[float]:
    """The two sides' own levels for `stroke_along` (the finite ones): each side's
    `_own_level`, or (own39) where both are finite and one is under TRACE_GONE of the other
    (the trace lost the line beside the window on that side), each taken again within
    own39.OWN_FAR_MM from at least own39.FAR_MIN segments, its near level standing where
    there are fewer."""
    near = [_own_level(lo), _own_level(hi)]
    finite = [o for o in near if math.isfinite(o)]
    if not own39.ENABLED or len(finite) < 2 or min(finite) >= TRACE_GONE * max(finite):
        return finite
    far = [_own_level(segs, own39.OWN_FAR_MM, own39.FAR_MIN) for segs in (lo, hi)]
    return [f if math.isfinite(f) else n for f, n in zip(far, near, strict=True)]


def _ended(segs: list[float], own: float) -> bool:
    """Gone (under TRACE_GONE of `own`) on judged segments for TRACE_GAP_MM on end, and
    not back: the judged segments from there to the sheet's edge are under it at their
    median and nowhere over it for TRACE_GAP_MM on end (a line of the paper lost for a
    few millimetres under print, or by the tracker, comes back)."""
    need = max(1, math.ceil(TRACE_GAP_MM / TRACE_SEG_MM))
    judged = [v for v in segs if math.isfinite(v)]  # print: neither there nor gone
    run = 0
    for i, v in enumerate(judged):
        run = run + 1 if v < TRACE_GONE * own else 0
        if run >= need and float(np.median(judged[i - need + 1 :])) < TRACE_GONE * own:
            # ... and nowhere after it back for TRACE_GAP_MM on end (a fold lost under a
            # name's print by the tracker, found again further on)
            back = 0
            for w in judged[i + 1 :]:
                back = back + 1 if w >= TRACE_GONE * own else 0
                if back >= need:
                    return False
            return True
    return False


def _geometry(
    centre: tuple[float, float], theta: float, rho: float, half: int
) -> tuple[float, float, float, float, float, float]:
    """(foot x, foot y, cos, sin, t_lo, t_hi): the line's foot in the image and where it
    leaves the window, along (-sin, cos)."""
    from kiosk.reading.inspect import _chord

    c, s = math.cos(theta), math.sin(theta)
    t_lo, t_hi = _chord(rho, c, s, float(half))
    return centre[0] + rho * c, centre[1] + rho * s, c, s, t_lo, t_hi


def line_traces(
    image: np.ndarray,
    centre: tuple[float, float],
    theta: float,
    rho: float,
    half: int,
    scale: float,
    page: Page,
) -> tuple[list[float], list[float]]:
    """The segments' contrasts beyond the window at the low end and the high end."""
    fx, fy, c, s, t_lo, t_hi = _geometry(centre, theta, rho, half)
    out = []
    for sign, t_edge in ((-1.0, t_lo), (1.0, t_hi)):
        t0 = t_edge + sign * TRACE_START_MM * scale
        start = (fx - t0 * s, fy + t0 * c)
        out.append(_segments(image, start, (-s * sign, c * sign), (c, s), scale, page))
    return out[0], out[1]


def ends_on_sheet(lo: list[float], hi: list[float]) -> bool:
    """Does the line end on the sheet at either end (a hand's line), where it can be
    followed (its own level at least TRACE_MIN there)?"""
    edge = max(1, math.ceil(TRACE_EDGE_MM / TRACE_SEG_MM))
    for segs in (lo, hi):
        own = _own_level(segs)
        # gone before the last TRACE_EDGE_MM too: near the sheet's edge (known only from
        # the squares' centres) the paper, the scanner's lid and the page's frame disagree
        if math.isfinite(own) and own >= TRACE_MIN and _ended(segs, own) and _ended(segs[:-edge], own):
            return True
    return False


def stroke_along(
    image: np.ndarray,
    centre: tuple[float, float],
    theta: float,
    rho: float,
    half: int,
    scale: float,
    own: float,
) -> bool:
    """Is the line darker, through the square's inside, than its own level `own` beyond
    the window by ALONG_MORE (or ALONG_SHARE of it) for ALONG_RUN_MM on end? A tick's arm
    or a dash drawn along a streak or a fold."""
    from kiosk.reading.inspect import _chord

    fx, fy, c, s, _, _ = _geometry(centre, theta, rho, half)
    # The inside of the square, the path's darkest pixel kept off the printed border's
    # blur: PATH_NEAR_MM and a pixel further in.
    inner = (TARGET / 2 - TARGET_STROKE - 0.35 - PATH_NEAR_MM) * scale - 1
    t_lo, t_hi = _chord(rho, c, s, inner)
    if t_hi - t_lo < ALONG_RUN_MM * scale:
        return False
    ts = np.arange(t_lo, t_hi, STEP_MM * scale)
    px, py = fx - ts * s, fy + ts * c
    v = contrast_grid(image, px, py, c, s, np.zeros(1, np.int64), scale, dark_on=True)[0]
    more = own + max(ALONG_MORE, ALONG_SHARE * own)
    need = max(1, math.ceil(ALONG_RUN_MM / STEP_MM))
    # a running median over three positions: one noisy pixel neither makes nor breaks a run
    padded = np.concatenate([v[:1], v, v[-1:]])
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        smooth = speed32.nanmedian(np.stack([padded[:-2], padded[1:-1], padded[2:]]), 0)
        above = smooth >= more
    run = 0
    for a in above:
        run = run + 1 if a else 0
        if run >= need:
            return True
    return False


def through_window(
    image: np.ndarray, centre: tuple[float, float], theta: float, rho: float, half: int, scale: float
) -> float:
    """The line's contrast through the window (`contrast_grid` on its axis, the median of
    the positions on paper; nan if fewer than four are)."""
    fx, fy, c, s, t_lo, t_hi = _geometry(centre, theta, rho, half)
    ts = np.arange(t_lo, t_hi, STEP_MM * scale)
    v = contrast_grid(image, fx - ts * s, fy + ts * c, c, s, np.zeros(1, np.int64), scale)[0]
    v = v[np.isfinite(v)]
    return float(np.median(v)) if len(v) >= 4 else math.nan


def hand_on_lines(
    image: np.ndarray,
    centre: tuple[float, float],
    lines: list[tuple[float, float]],
    half: int,
    scale: float,
    source: PageSource | None,
    proven: Callable[[float, float], bool] | None = None,
) -> bool:
    """For the lines the closer look took out ((theta, rho) each) and seen through the
    window at TRACE_MIN or more: does one of them end on the sheet (`ends_on_sheet`), or carry a stroke through the square darker than its own
    level beyond the window (`stroke_along`)? Not judged without the page's frame
    (`source`: the reader's, fitted here on first use). `proven` (crease27): a line it
    answers yes for runs on to the sheet's edge, straight, at its own level, whatever the
    segment-by-segment follow found (a crossing streak can lead it off a faint crease)."""
    page = None if source is None or not lines else source.frame
    if page is None:
        return False
    for theta, rho in lines:
        if not through_window(image, centre, theta, rho, half, scale) >= TRACE_MIN:
            continue  # too faint to follow (noise found after a line was taken out)
        lo, hi = line_traces(image, centre, theta, rho, half, scale, page)
        if ends_on_sheet(lo, hi) and not (proven is not None and proven(theta, rho)):
            return True
        owns = own_levels(lo, hi)
        if owns and stroke_along(image, centre, theta, rho, half, scale, max(0.0, float(np.median(owns)))):
            return True
    return False
