"""A faint pencil stroke in the low band's score range read `empty` with no look (issue 10,
faint37: the thirty-fifth pass's untouched run, 12400/31193/c28 and 12400/39768/qhp).

Why. That run read two light pencil marks `empty` with no doubt: a caret (an upside-down V)
across c28's inside, fast score 0.0079, beside the contest's clear vote (an overvote read as
a vote), and a very light X on qhp, score 0.0058, the contest's only mark (a vote read as a
blank). Both score in pencil7's low band (`pencil7.LOW_FROM` up to `pencil6.LOOK_FROM`), where
only the pencil tests are asked, and they cut a contrast at 0.035-0.04: these strokes peak
under it. grain14's pair of averaged segments has no cut, but its floor is NOISE times the
spread of the same statistic on the paper beyond the printed border, and that paper holds the
print beside the square (the border's outer edge, the option's text): on MZ-SMD-02 the floor
is 0.07-0.09, over any pencil this light.

The rule (`asked`, for a square with no look about to read `empty` scoring in the low band,
past grain14's `spread_inside` gate). grain14's averaged segments on the square's window, with
two changes:
- the spread beyond the border counts only segments wholly clear of print (window ink at least
  PRINT, grown by PRINT_CLEAR_MM), floored at SPREAD_FLOOR (`clean_spread`): plain paper's
  grain and JPEG, not the print;
- places on the title side's known print (`show10.window_print`, where the sheet's frame is
  known) are not looked at: a segment with ON_PRINT_SHARE of its length on that print is left
  out (show-through draws lines there).
Then a mark is grain14's pair (`grain14.best_pair` with that spread), or one long arm
(grain14.LONG_MM) at least LONE_LEVEL and LONE_NOISE times the spread whose stroke does not
go on GOES_ON_MM beyond both of its ends, followed through gentle bends (up to TURN_DEG in all)
and across the printed border (`goes_on_both_ways`: a stain's tide line or a curved crease is a
long faint line; a hand's arm stops at one end at least, or turns sharply into the other arm).
Lines of the paper that cross the window straight are grain14's (`grain14._pick`).

Floors first (time). The look is asked only where, for a pair, both slant signs, or for the
arm, one long segment, can reach the least floor (LEVEL, LONE_LEVEL) on the inside (compiled,
`kernels.grain_reach`, as grain14's `first_look`); then only where the maps' own tops reach the
square's floors. Neither changes an answer (`window_asked(..., floors_first=False)` is the
reference; tests/test_faint37.py checks them with hypothesis).

Where it stops. It only sends to review (`marginal_mark`), never decides. Squares under
LOW_FROM, and squares the bands above look at, are not asked. An erased mark's ghost is a
faint stroke too: those go to review (the price). A rim that bends more sharply than the trace
follows, or fades within GOES_ON_MM of the chord's end, is taken for an arm (to review). A lone
straight stroke going on GOES_ON_MM beyond a 3 mm chord at both ends (about 6 mm, a slash
across the square) is taken for a line and stays `empty` unless a pair is found; so does a mark
whose arms both lie on the title side's print. docs/reading.md, "Thirty-sixth pass: the low band's faint strokes
(faint37)".
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from kiosk.ballots.layout import BallotLayout
from kiosk.reading import grain14, kernels, pencil6, pencil7, show10

# False: every low-band square's `empty` stands, as before (tests' companions; the A/B).
ENABLED = True

PRINT = 0.15  # window ink this high is print (or a dark pen, never in this band) ...
PRINT_CLEAR_MM = 0.15  # ... grown by this: the spread's segments stay clear of it
SPREAD_FLOOR = 0.002  # the clean spread is never under this (a flat synthetic paper)
LONE_LEVEL = 0.03  # one long arm alone: at least this ...
LONE_NOISE = 8.0  # ... and this many times the clean spread
ON_PRINT_SHARE = 0.5  # a segment this much on the title side's print is not looked at
# goes_on_both_ways: from each end of the arm, the line followed (`traced_mm`) in steps of
# EXTEND_STEP_MM, each along the best chord of EXTEND_MM ahead turned up to STEP_TURN_DEG (every
# TURN_STEP_DEG; TURN_DEG in all), while its excess holds GOES_ON_SHARE of the arm's level; it
# goes on where it is followed GOES_ON_MM.
EXTEND_MM = 1.0
EXTEND_STEP_MM = 0.25
GOES_ON_MM = 1.5
PRINT_GAP_MM = 1.5  # ... across print (the printed border) kept straight this far, not counted
STEP_TURN_DEG = 10
TURN_DEG = 45
TURN_STEP_DEG = 5
GOES_ON_SHARE = 0.4


def in_band(score: float) -> bool:
    """The low band's score range (pencil7.LOW_FROM up to pencil6.LOOK_FROM); False when off."""
    return ENABLED and pencil7.LOW_FROM <= score < pencil6.LOOK_FROM


def asked(
    image: np.ndarray,
    centre: np.ndarray,
    scale: float,
    levels: np.ndarray,
    gain: float,
    layout: BallotLayout,
    index: int,
    page: object,
    noise_share: float = 1.0,
) -> bool:
    """True (send to review, `marginal_mark`) when the square's window holds a faint pair or a
    lone arm (module docstring). False when not ENABLED or the window leaves the image.
    `noise_share`: the floors' multiples of the clean spread (grain14.NOISE, LONE_NOISE) taken
    at this share (blank65 asks a blank contest's squares at less than 1); LEVEL and LONE_LEVEL
    stay."""
    if not ENABLED:
        return False
    ink = grain14.gated_ink(image, centre, scale, levels, gain)
    if ink is None:
        return False
    if not could_reach(ink, scale):
        return False
    title = _title_print(ink, centre, scale, layout, index, page)
    return window_asked(ink, scale, title, gate=False, noise_share=noise_share)


def _title_print(
    ink: np.ndarray, centre: np.ndarray, scale: float, layout: BallotLayout, index: int, page: object
) -> np.ndarray | None:
    """Where the title side's print lies in the window (bool), or None (no print behind the
    square, or the sheet's frame unknown)."""
    if not show10.has_print(layout, index):
        return None
    turn = show10._turn(page)
    if turn is None:
        return None
    n = ink.shape[0]
    h = (n - 1) // 2
    cx, cy = int(np.rint(float(centre[0]))), int(np.rint(float(centre[1])))
    at = (float(centre[0]), float(centre[1]))
    dark = show10.window_print(layout, index, at, scale, turn, ink.shape, (cx - h, cy - h))
    on: np.ndarray = show10.print_mask(dark, scale)
    return on


def could_reach(ink: np.ndarray, scale: float) -> bool:
    """The cheap half: on grain14's cut of the window, both slant signs reach grain14.LEVEL or
    one slant reaches LONE_LEVEL (the least floors of a pair and of a lone arm; every floor is
    at least these). Each slant's reach is the largest of the inside's segment maps, the same
    numbers `window_asked` picks from (within grain14.REACH_SLACK), before any place is taken
    out: so it never says no where `window_asked` would say yes. speed38: every slant in one
    compiled call (`grain14.slant_reaches`), its rotation's last bits covered by
    grain14.ROTATION_SLACK: it says yes wherever `could_reach_reference` does."""
    reaches = grain14.slant_reaches(ink, scale)
    if reaches is None:
        return True
    slack = grain14.REACH_SLACK + grain14.ROTATION_SLACK
    n = len(grain14.ANGLES)
    pos, neg = float(reaches[:n].max()), float(reaches[n:].max())
    if max(pos, neg) >= LONE_LEVEL - slack:
        return True
    least = grain14.LEVEL - slack
    return pos >= least and neg >= least


def could_reach_reference(ink: np.ndarray, scale: float) -> bool:
    """`could_reach` a slant at a time (an OpenCV rotation and `kernels.grain_reach` each), as the
    thirty-sixth pass wrote it: the reference `could_reach` is checked against. The cheap half: on grain14's cut of the window, both slant signs reach grain14.LEVEL or
    one slant reaches LONE_LEVEL (the least floors of a pair and of a lone arm; every floor is
    at least these). Each slant's reach is the largest of the inside's segment maps, the same
    numbers `window_asked` picks from (within grain14.REACH_SLACK), before any place is taken
    out: so it never says no where `window_asked` would say yes."""
    cut = grain14.look_window(ink, scale)
    if cut is None:
        return True
    small, wk, d, lengths = cut
    m = small.shape[0]
    cc = (m - 1) / 2.0
    across = grain14.inside_across(m, scale)
    tops = {True: -np.inf, False: -np.inf}
    for sign in (1, -1):
        for a in grain14.ANGLES:
            ang = float(sign * a)
            mat = cv2.getRotationMatrix2D((cc, cc), -ang, 1.0)
            r = cv2.warpAffine(small, mat, (m, m), flags=cv2.INTER_LINEAR, borderValue=0.0)
            ins, whole_long, whole_short = grain14._rotated_inside(m, across, wk, d, lengths, ang)
            reach = kernels.grain_reach(r, ins, whole_long, whole_short, wk, d, lengths[0], lengths[1])
            tops[sign > 0] = max(tops[sign > 0], reach)
            if tops[sign > 0] >= LONE_LEVEL - grain14.REACH_SLACK:
                return True
    least = grain14.LEVEL - grain14.REACH_SLACK
    return tops[True] >= least and tops[False] >= least


def print_near(ink: np.ndarray, scale: float) -> np.ndarray:
    """The window's print (ink at least PRINT) grown by PRINT_CLEAR_MM, bool."""
    on = (ink >= PRINT).astype(np.uint8)
    r = max(1, math.ceil(PRINT_CLEAR_MM * scale))
    grown: np.ndarray = cv2.dilate(on, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    return grown.astype(bool)


def clear_of_print(ink: np.ndarray, scale: float) -> np.ndarray:
    """The window's paper clear of print (`print_near`'s complement) as grain14's 0/1 float32
    `clear` map (cross55's pair, grain14's pair under clear56)."""
    out: np.ndarray = (~print_near(ink, scale)).astype(np.float32)
    return out


def clean_spread(ink: np.ndarray, scale: float, near: np.ndarray) -> tuple[grain14._Looked, float]:
    """grain14's slant maps and the spread of its statistic beyond the border on segments
    wholly clear of the print `near`, at least SPREAD_FLOOR."""
    looked, spread = grain14._slant_maps(ink, scale, (~near).astype(np.float32))
    return looked, max(SPREAD_FLOOR, spread)


def off_title_print(looked: grain14._Looked, title: np.ndarray | None) -> grain14._Looked:
    """The maps with every place whose segment lies ON_PRINT_SHARE or more on the title side's
    print `title` taken out."""
    if title is None or not title.any():
        return looked
    n = title.shape[0]
    t = title.astype(np.float32)
    out: grain14._Looked = []
    for ang, m, maps in looked:
        rt = cv2.warpAffine(t, m, (n, n), flags=cv2.INTER_NEAREST, borderValue=0)
        kept = []
        for L, seg, whole in maps:
            share = cv2.blur(rt, (L, 1), borderType=cv2.BORDER_CONSTANT)
            kept.append((L, seg, whole & (share < ON_PRINT_SHARE)))
        out.append((ang, m, kept))
    return out


def _tops(looked: grain14._Looked, long_len: int) -> tuple[float, float, float]:
    """The largest map value over allowed places: `/` slants, `\\` slants, long segments."""
    top = {True: -np.inf, False: -np.inf}
    long_top = -np.inf
    for ang, _m, maps in looked:
        for L, seg, whole in maps:
            if not whole.any():
                continue
            v = float(seg[whole].max())
            if np.isnan(v):
                v = np.inf
            top[ang > 0] = max(top[ang > 0], v)
            if long_len == L:
                long_top = max(long_top, v)
    return top[True], top[False], long_top


def window_asked(
    ink: np.ndarray,
    scale: float,
    title: np.ndarray | None,
    gate: bool = True,
    floors_first: bool = True,
    noise_share: float = 1.0,
) -> bool:
    """The rule on an ink window (`grain14.ink_window`). `gate`: ask `could_reach` first;
    `floors_first`: compare the maps' tops with the floors before looking for lines of the
    paper. Both only save time; `floors_first=False, gate=False` is the reference.
    `noise_share`: as `asked`'s (the spread's multiples only; `could_reach` is on the least
    floors, LEVEL and LONE_LEVEL, which do not move)."""
    if gate and floors_first and not could_reach(ink, scale):
        return False
    near = print_near(ink, scale)
    looked, spread = clean_spread(ink, scale, near)
    looked = off_title_print(looked, title)
    # the spread taken at `noise_share` (1.0: the spread itself, bit for bit), for both floors
    # and for grain14.best_pair's own
    shared = noise_share * spread
    pair_floor = max(grain14.LEVEL, grain14.NOISE * shared)
    lone_floor = max(LONE_LEVEL, LONE_NOISE * shared)
    long_len = grain14._odd(grain14.LONG_MM * scale)
    if floors_first:
        pos, neg, long_top = _tops(looked, long_len)
        if not (pos >= pair_floor and neg >= pair_floor) and not long_top >= lone_floor:
            return False
    best = grain14._pick(ink, scale, looked)
    if grain14.best_pair(best, shared, scale) is not None:
        return True
    arms = sorted((s for s in best if s.length == long_len and s.level >= lone_floor), key=lambda s: -s.level)
    return any(not goes_on_both_ways(ink, near, s, scale) for s in arms)


def _excess_along(
    paper: np.ndarray, near: np.ndarray, start: np.ndarray, way: np.ndarray, length: float, scale: float
) -> float | None:
    """The mean, over a chord from `start` along the unit `way` `length` pixels long, of the
    ink across grain14.WIDTH_MM minus the darker of the same grain14.OFFSET_MM to either side
    (grain14's statistic), on `paper`, the window's ink with its print (`near`) set to paper
    (made once an arm by `goes_on_both_ways`): the print is not seen
    through, so points on it are left out (None where more than half the chord is on it or off
    the window: not seen), and a side on it reads as paper (a line along the printed border still counts)."""
    k = max(2, int(np.ceil(length * 2)))
    t = np.linspace(0.0, length, k)
    across = np.array([-way[1], way[0]])
    w = grain14.WIDTH_MM * scale / 2.0
    d = grain14.OFFSET_MM * scale
    px = start[0] + t * way[0]
    py = start[1] + t * way[1]

    def sample(off: float) -> np.ndarray:
        vals = []
        for o in (off - w, off, off + w):
            mx = (px + o * across[0]).astype(np.float32)[None, :]
            my = (py + o * across[1]).astype(np.float32)[None, :]
            got = cv2.remap(
                paper, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=np.nan
            )
            vals.append(got[0])
        out: np.ndarray = np.mean(vals, axis=0)
        return out

    ex = sample(0.0) - np.maximum(sample(d), sample(-d))
    n = paper.shape[0]
    ix, iy = np.rint(px).astype(int), np.rint(py).astype(int)
    inside = (ix >= 0) & (iy >= 0) & (ix < n) & (iy < n)
    seen = inside & np.isfinite(ex)
    seen[seen] = ~near[iy[seen], ix[seen]]
    if 2 * int(seen.sum()) < k:
        return None
    return float(ex[seen].mean())


def _turned(way: np.ndarray, deg: float) -> np.ndarray:
    t = np.radians(deg)
    c, s = np.cos(t), np.sin(t)
    return np.array([c * way[0] - s * way[1], s * way[0] + c * way[1]])


def traced_mm(
    paper: np.ndarray, near: np.ndarray, end: np.ndarray, way: np.ndarray, need: float, scale: float
) -> float:
    """How far (mm, up to GOES_ON_MM) a faint line goes on from `end` along `way`, followed
    through gentle bends: each EXTEND_STEP_MM step takes the chord of EXTEND_MM ahead, turned up
    to STEP_TURN_DEG from the way so far (and TURN_DEG in all from `way`), whose excess is
    highest, while it holds `need`. Where every chord ahead lies on print (the square's printed
    border: not seen through), the way so far is kept, up to PRINT_GAP_MM over the whole
    trace, and not counted."""
    step, chord, most, gap_most = (
        EXTEND_STEP_MM * scale,
        EXTEND_MM * scale,
        GOES_ON_MM * scale,
        PRINT_GAP_MM * scale,
    )
    p, went, gap, turned = end.copy(), 0.0, 0.0, 0.0
    while went < most:
        best, at, seen = -np.inf, 0.0, False
        for a in range(-STEP_TURN_DEG, STEP_TURN_DEG + 1, TURN_STEP_DEG):
            if abs(turned + a) > TURN_DEG:
                continue
            v = _excess_along(paper, near, p, _turned(way, turned + a), chord, scale)
            if v is None:
                continue
            seen = True
            if v > best:
                best, at = v, float(a)
        if not seen:
            gap += step
            if gap > gap_most:
                break
            p = p + step * _turned(way, turned)
            continue
        if best < need:
            break
        turned += at
        p = p + step * _turned(way, turned)
        went += step
    return went / scale


def goes_on_both_ways(ink: np.ndarray, near: np.ndarray, arm: grain14.Segment, scale: float) -> bool:
    """Does the arm's stroke go on, straight or gently bent, GOES_ON_MM or more beyond both of its
    ends, holding GOES_ON_SHARE of the arm's level (`traced_mm`)? A stain's tide line or a curved
    crease does; a hand's arm stops at one end at least, or turns sharply into the other arm."""
    t = np.radians(arm.angle)
    way = np.array([np.cos(t), -np.sin(t)])
    mid = np.array([arm.cx, arm.cy])
    half = (arm.length - 1) / 2.0
    need = GOES_ON_SHARE * arm.level
    paper = np.where(near, 0.0, ink).astype(np.float32)
    return all(
        traced_mm(paper, near, mid + sign * half * way, sign * way, need, scale) >= GOES_ON_MM - 1e-9
        for sign in (1.0, -1.0)
    )
