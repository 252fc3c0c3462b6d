"""The eleventh look at wrong decisions outside the corpus (issue 10, branch wrong11).

A faint pencil X in the wider band read `empty` (tests/test_wrong10.py). A light X (0.08-0.12
of the light, grainy, 0.5 mm strokes, arms 3.4 mm) scores 0.010-0.018: the wider band. Its
two strokes meet, so `pencil6.trace_contrast` at `pencil6.TRACE_FAINT` finds one run 1.4-1.8
mm wide (area over length): `pencil6.pencil_near`, `pencil7.wider_look` and
`fix8.small_cross` skip it as a blob, and it is exactly what `faint9.joined_strokes` is for
(thin everywhere, 6-7.5 mm of stroke over 3 mm of the inside). But joined_strokes then asks
whether a line of the paper goes on beyond the square (a fold crossing a streak is an X
too), counting the pixels 0.3-2.0 mm beyond the printed border's zone at 0.5-2 times the
run's contrast, and a light grey printed rule 1-2 mm above or below the square (the rows'
separators of the ballot) is not print to it (under `faint9.PRINT_LEVEL`, 0.25): the rule
itself and its blurred flanks, across the whole window, are 13-14 times the 0.1 of the
run's pixels it allows. The X "goes on" along a printed rule and the square reads `empty`.

`beyond_on_rules` (asked inside `faint9.joined_strokes` only where that count failed, so it
costs nothing elsewhere): the band's pixels that lie on a straight line along the square's
sides which never enters the square's own rows or columns, across RULE_SPAN of the window
(a row of the window whose pixels beyond the border's zone are at least half the run's
contrast across that share of its width; a column likewise), are left out of the count. A
line of the paper crossing the square (a fold, a streak through it) passes the square's
rows or columns and still counts; the X's arms going on beyond the border are slanted and
never fill a row. Left out, the rest must be under `faint9.JOINED_BEYOND` of the run's
pixels, as before. The rule only sends a square to review (`marginal_mark`), never
decides one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from kiosk.reading.inspect import Line, Verdict

ENABLED = True

RULE_SPAN = (
    0.8  # a row (column) of the window beyond the square this share at the run's half contrast: a rule
)


def widened(cols: np.ndarray, k: int) -> np.ndarray:
    """`cols` (1-D bool) with every True spread to the `k` positions on either side (a
    dilation by 2k + 1, clipped at the ends). One convolution; `widened_reference` in a loop."""
    if k <= 0 or cols.size == 0:
        return cols.astype(bool)
    padded = np.pad(cols.astype(np.int32), k)
    out: np.ndarray = np.convolve(padded, np.ones(2 * k + 1, np.int32), mode="valid") > 0
    return out


def widened_reference(cols: list[bool], k: int) -> list[bool]:
    """`widened`, one position at a time (the property test's reference)."""
    n = len(cols)
    return [any(cols[j] for j in range(max(0, i - k), min(n, i + k + 1))) for i in range(n)]


def beyond_on_rules(
    c: np.ndarray,
    counted: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    border_px: float,
    level: float,
    run_px: int,
    share: float,
    widen_columns: int = 0,
) -> bool:
    """`faint9.joined_strokes`' last question asked again with the printed rules left out:
    of the `counted` pixels (beyond the border's zone, not near dark print, at 0.5-2 times
    the run's `level` of `pencil6.trace_contrast` `c`), those on a row lying wholly above or
    below the square's border zone (|y| > `border_px`) whose pixels outside the square's
    columns are at least half `level` across RULE_SPAN of them, or on such a column, are not
    the run going on. True when the rest are at most `share` of the run's `run_px`
    pixels. `widen_columns` (plus31, 0: as wrong11 left it): such a column's neighbours up to
    that many columns to either side, beyond the border's zone, are on it too (a scanner's
    streak's blurred flanks, under RULE_SPAN at half contrast; `widened`). False when
    not ENABLED."""
    if not ENABLED:
        return False
    half = c >= 0.5 * level
    y = ys[:, 0] if ys.ndim == 2 else ys
    x = xs[0, :] if xs.ndim == 2 else xs
    out_rows = np.abs(y) > border_px
    out_cols = np.abs(x) > border_px
    # a row above or below the square: its share at half contrast over the whole width
    rows = out_rows & (half.mean(axis=1) >= RULE_SPAN)
    cols = out_cols & (half.mean(axis=0) >= RULE_SPAN)
    if widen_columns > 0:
        cols = out_cols & widened(cols, widen_columns)
    on_rule = rows[:, None] | cols[None, :]
    left = int(np.count_nonzero(counted & ~on_rule))
    return left <= share * run_px


STREAK_RUN_MM = 1.5  # a stroke beside a streak: this long in the square's rows (a running median) ...
STREAK_LEVEL = 0.075  # ... at least this much darker than the paper beside it, once divided
STREAK_BEYOND_MM = (1.0, 4.0)  # the same column this far beyond the printed border's zone ...
STREAK_GOES_ON = 0.5  # ... above and below at this share of it: the streak's own residue
# narrow11: the line the closer look took out is the streak's (within this tilt of the
# scan's columns, and this near the streak's columns at the square's middle row) ...
NARROW = True  # narrow11's two guards on stroke_by_streak (off: wrong11 as it was)
STREAK_LINE_TILT_DEG = 4.0
STREAK_LINE_NEAR_MM = 1.0
# ... and a stroke's column has no print this dark (its darkening) this far outward of it in
# the inside's rows: a skewed sheet's printed border coming into the inside's columns
BORDER_DARK = 0.45
BORDER_OUT_MM = 0.3


def _running_median_max(d: np.ndarray, n: int) -> float:
    """The highest median of `n` consecutive values of `d` (0.0 when `d` is shorter)."""
    if len(d) < n:
        return 0.0
    return float(np.median(np.lib.stride_tricks.sliding_window_view(d, n), axis=1).max())


def stroke_beside_streak(
    image: np.ndarray, at: tuple[float, float], scale: float, cols: np.ndarray, others: tuple[Line, ...] = ()
) -> bool:
    """On `image` with a streak's columns `cols` divided out (`lines10.divided`): is there a
    stroke on or within `lines10.ALONG_NEAR_MM` of them inside the square? A column (two
    columns' mean) whose darkening against the paper `lines10.SIDE_MM` beside it (towards
    the square's middle) has a running median over STREAK_RUN_MM of at least STREAK_LEVEL in
    the inside's rows, and does not go on in the same column 1-4 mm beyond the printed
    border's zone both above and below at STREAK_GOES_ON of that (the divided streak's own
    residue, where its factor changed). `lines10.dash_on_streak` asks 0.03 over 0.8 mm and
    answers True where the streak is not in the square at all (a hand's until shown
    otherwise, right for keeping a square from `empty`, 30 correct squares on 250 sheets
    of seed 105 for sending one to review)."""
    from kiosk.reading import empty8, lines10, pencil6
    from kiosk.reading.inspect import LINE_BAND_MM

    h, w = image.shape
    inner = empty8.INSIDE_MM * scale
    reach = round(lines10.ALONG_NEAR_MM * scale)
    xs = np.arange(int(cols.min()) - reach, int(cols.max()) + reach + 1)
    xs = xs[(np.abs(xs - at[0]) <= inner) & (xs >= 0) & (xs + 1 < w)]
    if len(xs) == 0:
        return False  # the streak is not in the square
    n = max(3, round(STREAK_RUN_MM * scale))
    b0, b1 = ((pencil6.BORDER_MM + m) * scale for m in STREAK_BEYOND_MM)
    ya, yb = max(0, round(at[1] - b1)), min(h, round(at[1] + b1) + 1)
    block = image[ya:yb].astype(np.float64)
    rel = np.arange(ya, yb) - at[1]
    ins = np.abs(rel) <= inner
    above, below = rel <= -b0, rel >= b0
    near, far = (round(m * scale) for m in lines10.SIDE_MM)
    for x in xs.tolist():
        toward = 1 if x <= at[0] else -1
        side = np.array([x + toward * d for d in range(near, far + 1)])
        side = side[(side >= 0) & (side < w)]
        if len(side) == 0:
            continue
        on = block[:, x : x + 2].mean(axis=1)
        paper = np.median(block[:, side], axis=1)
        d = 1.0 - on / np.maximum(paper, 1.0)
        for ln in others:  # another line taken out (a crease) crosses this column: its rows out
            off = (x + 0.5 - at[0]) * np.cos(ln.theta) + rel * np.sin(ln.theta) - ln.rho
            d = np.where(np.abs(off) <= LINE_BAND_MM / 2 * scale, 0.0, d)
        level = _running_median_max(d[ins], n)
        if level < STREAK_LEVEL:
            continue
        goes_on = min(_running_median_max(d[above], n), _running_median_max(d[below], n))
        if goes_on < STREAK_GOES_ON * level and not _print_outward(image, at, scale, x, ins, ya):
            return True
    return False


def _print_outward(
    image: np.ndarray, at: tuple[float, float], scale: float, x: int, ins: np.ndarray, ya: int
) -> bool:
    """narrow11: is print (BORDER_DARK darker than the paper `lines10.SIDE_MM` inward of it)
    within BORDER_OUT_MM outward of column `x` (away from the square's middle), in the
    inside's rows `ins` (of the block from row `ya`)? On a skewed sheet the printed border's
    flank enters the inside's columns and reads as a stroke that does not go on beyond the
    border (7 of the field squares stroke_by_streak sent on seed 153); a pencil stroke beside
    a streak stays under 0.15 (benchmarks/narrow11_attack.py)."""
    from kiosk.reading import lines10

    if not NARROW:
        return False
    w = image.shape[1]
    rows = np.nonzero(ins)[0] + ya
    if len(rows) == 0:
        return False
    away = 1 if x > at[0] else -1
    near, far = (round(m * scale) for m in lines10.SIDE_MM)
    block = image[rows[0] : rows[-1] + 1].astype(np.float64)
    for k in range(round(BORDER_OUT_MM * scale) + 1):
        xx = x + away * k
        side = [xx - away * d for d in range(near, far + 1)]
        side = [c for c in side if 0 <= c < w]
        if not 0 <= xx < w or not side:
            continue
        d = 1.0 - block[:, xx] / np.maximum(np.median(block[:, side], axis=1), 1.0)
        if float(d.max()) >= BORDER_DARK:
            return True
    return False


def line_is_streaks(line: Line, scale: float, cols: np.ndarray, at_x: float) -> bool:
    """narrow11: is the line the closer look took out (`v.line`) the streak's: within
    STREAK_LINE_TILT_DEG of the scan's columns and, at the square's middle row, within
    STREAK_LINE_NEAR_MM of the streak's columns `cols`? A crease or a fold crossing the
    square slanted (theta 0.19 and 0.37 rad on seed 153) is another line: the dash beside
    the streak would not lie in its band. True when not NARROW (wrong11 as it was)."""
    if not NARROW:
        return True
    if abs(np.sin(line.theta)) > np.sin(np.radians(STREAK_LINE_TILT_DEG)):
        return False
    x = at_x + line.rho / np.cos(line.theta)  # rho is from the square's middle along the normal
    near = STREAK_LINE_NEAR_MM * scale
    return bool(cols.min() - near <= x <= cols.max() + 1 + near)


def stroke_by_streak(image: np.ndarray, centre: np.ndarray, scale: float, v: Verdict) -> bool:
    """The closer look read the square `empty` with a line taken out (`v.line`): is a
    scanner's streak in the square's columns (`lines10.divided` finds one) and, once it is
    divided out, a stroke on it or beside it (`stroke_beside_streak`)? A light pencil dash
    0.5 mm beside a faint streak lies inside the line's band (`inspect.LINE_BAND_MM`, 1.2
    mm) and was taken out with it. True: send the square to review. False when not
    ENABLED."""
    if not ENABLED or v.mark != "empty" or v.line is None:
        return False
    from kiosk.reading import lines10

    at = (float(centre[0]), float(centre[1]))
    got = lines10.divided(image, at, scale)
    if got is None:
        return False
    clean, cols = got
    # Any line taken out may be the streak's: a crease holding more thin ink is taken out
    # first and the streak second, and the streak's band still takes the dash beside it
    # (the red team's crease-and-streak cases, tests/test_narrow11.py).
    if line_is_streaks(v.line, scale, cols, at[0]):
        return stroke_beside_streak(clean, at, scale, cols)
    taken = v.lines or (v.line,)
    if not any(line_is_streaks(ln, scale, cols, at[0]) for ln in taken[1:]):
        return False
    # The streak was taken out after another line: that line's own rows are left out of the
    # column test (a slanted crease crossing the streak's columns inside the square is not a
    # stroke beside it: 150/126/3). Asked only here, so every square 7befa08 sent is still
    # sent (the untouched 10000 run was read by 7befa08).
    others = tuple(ln for ln in taken if not line_is_streaks(ln, scale, cols, at[0]))
    return stroke_beside_streak(clean, at, scale, cols, others)
