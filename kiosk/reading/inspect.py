"""A closer look at the squares in doubt: is it a mark, a hesitation dot, a line of the
paper (fold, crease, show-through, streak) running through, a light fill, or a stain?

The fast score (`kernels.window_local_ink`) measures all the ink in a square's window
against the paper around it. Most squares of a sheet score near zero and are never looked
at again. A square comes here when it scores at least `marginal`, or when it scores from
0 up to `marginal` and holds a pen-dark pixel or a faint stroke (the reader's doubt band,
`reader.doubt_band`); its window is examined in numpy and OpenCV:

- Evidence of a pen or pencil: pixels inside the square (its printed border kept out)
  that are dark (ink >= 0.5, pen) or a thin dark feature clearly darker than its
  surroundings (black top-hat >= 0.2 of the paper over 1.6 mm, pencil).
- A dot (`dot_blob`): the pen-dark ink inside the square is one compact blob (box <= 1.8
  mm). It is kept out of the line search, and if nothing else is evidence the square goes
  to the commission: a hesitation dot is never a vote and never nothing.
- A crossing line (`find_crossing_line`): a straight band of thin faint ink at most
  1.2 mm wide that crosses the whole window (it is in the window's margin at both ends),
  and the same line is still there, darker than the paper beside it, 1 to 4 mm beyond the
  window at both ends, whatever its share of the window's thin ink; up to three such lines
  are taken out, one after the other. A fold, a crease, a scanner streak, a line of the title side showing
  through: features of the sheet, not of a hand, which stops at the mark. Only the line's
  own level is taken out (`line_residual`); a faint stroke left beside it
  (`faint_stroke`) sends the square to the commission. The printed border's zone, where
  the search does not look, is left out of the length the line must cover, and there the
  line's level is divided out of each pixel (`border_line_ink`): a line beside the border
  is taken out too (pass 5). A line in the window's outer ring is left out of the paper
  the score is measured against (`ring_levels`).
- A light fill (`is_fill`): the inside darkened, stopping at the printed border on every
  side, with a pencil's grain.

The rule, and where it stops: a faint (ink < 0.45) straight line that runs through the
whole square and continues beyond its window at both ends is not a mark; its ink is taken
out of the score. A dark line doing the same (a pen stroke through the whole row) sends the
sheet to the commission (`crossing_line`). A tick, a cross or a short slash ends within
about a millimetre of the square and keeps all its ink. A faint straight line drawn by a voter through the square
and on for 4 mm at both ends would be taken for paper: such a line is not a mark in the
square alone, and nothing else on the sheet has counted it either. Since the seventh pass
(`lines7.hand_on_lines`) such a line goes to review unless it runs on to the sheet's edge
and is no darker through the square than beyond it.

The decision, in order (docs/reading.md step 8): a dot alone, review; evidence >=
marginal / 2, marked if the lower of the two scores is >= marked, else review
(`marginal_mark`); a faint stroke (or, pass 5, a box-mean `pencil_stroke`) beside a
removed line, or in a square scoring under `marginal`, or a faint removed line that is
not there beyond the window (`stroke_taken_for_line`), or a removed line gone 4-10 mm
beyond it (`line_stops_short`: a tick's arm), or a pencil stroke once the lines' levels
are divided out (`lines_divided_out`: a scribble along a streak), review; score <
marginal, empty; a light fill >= marked, marked; ink the ring explains, with no hand's
stroke in the square or the window's margin (`hand_near`), empty; ink the paper of a
wider neighbourhood explains (`stain_measures`, `paper_explains`: a grey closing over
2.5 mm that follows a stain's curved edge and fills in its rim) and no hand's evidence
(`hand_near`), empty; darkened like the ring but not explained, review
(`possible_stain`); any other ink, review (`marginal_mark`).

`reference.py` holds the slow references (`find_crossing_line_reference`,
`line_residual_reference`, `border_line_ink_reference`, `ring_levels_reference`,
`dot_blob_reference`, `faint_stroke_reference`, `fill_measures_reference`,
`paper_closing_reference`, `stain_measures_reference`, `lines_divided_out_reference`);
tests/test_inspect.py and
tests/test_reading_reference.py check
that they agree.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

import kiosk.reading.fix8 as fix8  # fix8: the red team's eighth-pass cases
from kiosk.ballots.layout import TARGET
from kiosk.reading import (
    blob16,  # issue 10, sixteenth pass (blob16): a light fill inside the square
    broad40,  # issue 10, fortieth pass (broad40): a soft pencil's broad light strokes
    broad42,  # issue 10, forty-second pass (broad42): broad40's strokes with the sheet round them
    crease27,  # issue 10, twenty-sixth pass (crease27): a line proven to run on is not a hand's
    crop,
    edge15,  # issue 10, fifteenth pass (edge15): a tick across the square's corner
    edge22,  # issue 10, twenty-second pass (edge22): a border's inner edge is not a hand
    fold17,  # issue 10, seventeenth pass (fold17): a light mark under a fold
    fold24,  # issue 10, twenty-fourth pass (fold24): a light stroke along a dark fold
    kernels,  # look20: the closer look's setup, compiled
    lines6,  # issue 10, sixth pass (line6)
    lines7,  # issue 10, seventh pass (lines7)
    pencil70,  # issue 10, session 70 (pencil70): a light pencil stroke held inside the square
    rim46,  # issue 10, forty-third pass, session 46 (rim46, OFF): a line that bends on does not stop short
    rims7,  # issue 10, seventh pass (rims7)
    show43,  # issue 10, forty-third pass (show43, OFF): a line on the title side's print showing through
    speed32,  # pass32: numpy's small medians and percentiles, exact and cheaper
    stain9,  # stain9: issue 10, ninth pass
    stains6,
    stroke28,  # issue 10, twenty-seventh pass (stroke28): a stroke along a line running on beyond
    wrong8,  # issue 10, eighth pass (wrong8)
)
from kiosk.reading.crop import INSIDE_MM  # the inside, one place
from kiosk.reading.crop import placed as _window  # tidy8: the window the fast score used
from kiosk.reading.model import ReviewReason
from kiosk.vocabulary import Mark

DARK_INK = 0.5  # a pen's ink
THIN_CONTRAST = 0.2  # a thin feature this much darker than its surroundings: pencil
TOPHAT_MM = 1.6  # what is thinner than this is a stroke or a line, not a stain
PROFILE_MM = 3.0  # a dip shorter than this along the ring is a stroke crossing it
LINE_MIN_CONTRAST = 0.06  # thin features fainter than this are noise, not part of a line
LINE_BAND_MM = 1.2  # a line's band, full width
LINE_SHARE = 0.75  # of the thin ink inside the square that must be in the band
LINE_COVER = 0.7  # of the band's length across the inside that must carry the line
LINE_FAINT = 0.45  # a line fainter than this is paper; darker is a pen (review)
BEYOND_MM = (1.0, 4.0)  # where the line must continue, past the window's edge
BESIDE_MM = 1.2  # the paper beside the line, each side
ANGLES = 90  # 2-degree steps
MAX_LINES = 3  # lines of the paper taken out of one square, at most
PEN_HOOKS_SKIP = True  # look20: rims7's and stain9's hooks not asked where they answer None (tests)


@dataclass(frozen=True)
class Line:
    theta: float  # radians, normal direction
    rho: float  # px from the window's centre, along the normal
    share: float  # of the thin ink inside the square in the band
    contrast: float  # median ink of the band's pixels inside the square


@dataclass(frozen=True)
class Verdict:
    mark: Mark
    reason: ReviewReason | None  # when marginal
    score: float  # the score after a crossing line's ink is taken out
    evidence: float
    line: Line | None
    # narrow11 fix: every line taken out, in order (`line` is the first); set where the
    # closer look reads `empty` (wrong11.stroke_by_streak asks which of them is the streak's)
    lines: tuple[Line, ...] = ()
    # stroke30: a closer-look yes that is only ever review (stroke28's: a stroke along a line of
    # the paper running on beyond the window). The reader asks no settle of it, either way:
    # empty8 / stain10 / lines10 and show10.print_only would read the same line the paper's.
    held: bool = False
    # pencil70: read `marked` under `marked` (a light pencil stroke held inside the square).
    # The reader adds it to settle7's settled squares: it stands only as its contest's one vote
    # with nothing else in doubt (it never makes an overvote).
    settled: bool = False


def paper_inverse(levels: np.ndarray, size_h: int, size_w: int, ring: int) -> np.ndarray:
    """The inverse paper level under the window: the plane of `kernels.window_local_ink`."""
    r = max(1, min(ring, size_w // 3, size_h // 3))
    top, bottom, left, right = (float(v) for v in levels)
    i_c = (1 / top + 1 / bottom + 1 / left + 1 / right) / 4
    g_x = (1 / right - 1 / left) / max(1.0, size_w - r)
    g_y = (1 / bottom - 1 / top) / max(1.0, size_h - r)
    ys = (np.arange(size_h) - (size_h - 1) / 2.0)[:, None]
    xs = (np.arange(size_w) - (size_w - 1) / 2.0)[None, :]
    return np.asarray(i_c + g_y * ys + g_x * xs)


def coons_paper(win: np.ndarray, ring: int, scale: float) -> np.ndarray:
    """The paper under the window, interpolated from the whole ring around it (a Coons
    patch through the four sides' profiles), so that a stain's edge crossing the window
    is followed, not only its mean level. Each side's profile is the level at 75 % across the
    ring at each position (as `kernels.window_local_ink` takes each side's level), then the median over 3 mm along it: a stroke that
    crosses the ring leaves no dip."""
    h, w = win.shape
    r = max(1, min(ring, w // 3, h // 3))
    k = max(3, int(PROFILE_MM * scale) | 1)
    f = win.astype(np.float32)

    def profile(values: np.ndarray) -> np.ndarray:
        line = np.ascontiguousarray(_q75(values).astype(np.uint8).reshape(1, -1))
        out: np.ndarray = cv2.medianBlur(line, k).ravel().astype(np.float32)
        return out

    top, bottom = profile(f[:r, :]), profile(f[h - r :, :])
    left, right = profile(f[:, :r].T), profile(f[:, w - r :].T)
    v = np.clip((np.arange(h, dtype=np.float32) - (r - 1) / 2) / max(1.0, h - r), 0, 1)[:, None]
    u = np.clip((np.arange(w, dtype=np.float32) - (r - 1) / 2) / max(1.0, w - r), 0, 1)[None, :]
    patch = (
        (1 - v) * top[None, :]
        + v * bottom[None, :]
        + (1 - u) * left[:, None]
        + u * right[:, None]
        - ((1 - u) * (1 - v) * top[0] + u * (1 - v) * top[-1] + (1 - u) * v * bottom[0] + u * v * bottom[-1])
    )
    out: np.ndarray = np.maximum(patch, 1.0)
    return out


def _q75(values: np.ndarray) -> np.ndarray:
    """np.percentile(values, 75, axis=0) for whole grey levels, without its overhead (half
    of the closer look's time went there): sorted, then the linear interpolation between
    the two ranks. The fraction is a multiple of 1/4 and the values whole numbers, so
    every step is exact and the result is np.percentile's to the bit
    (tests/test_inspect.py checks it)."""
    n = values.shape[0]
    ordered = np.sort(values, axis=0)
    pos = 0.75 * (n - 1)
    lo = int(pos)
    hi = min(lo + 1, n - 1)
    frac = pos - lo
    out: np.ndarray = ordered[lo] + (ordered[hi] - ordered[lo]) * frac
    return out


_ELLIPSES: dict[int, np.ndarray] = {}


FAST_BLACK_HAT = True  # speed28: the closer look's top-hat by `kernels.black_hat` (False: OpenCV's)


def _black_hat(win: np.ndarray, k: int) -> np.ndarray:
    """The closer look's black top-hat over a k x k ellipse. speed28: one compiled call
    (`kernels.black_hat`, the same uint8 values as OpenCV's: tests/test_speed28.py);
    FAST_BLACK_HAT False: cv2.morphologyEx."""
    if FAST_BLACK_HAT:
        out: np.ndarray = kernels.black_hat(win, _ellipse(k))
        return out
    return cv2.morphologyEx(win, cv2.MORPH_BLACKHAT, _ellipse(k))


def _ellipse(k: int) -> np.ndarray:
    """cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)), made once per size (look20)."""
    e = _ELLIPSES.get(k)
    if e is None:
        e = _ELLIPSES[k] = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    return e


def _evidence(
    ink: np.ndarray,
    evidence_px: np.ndarray,
    first: tuple[np.ndarray, np.ndarray, float, int],
    denominator: float,
) -> float:
    """float(ink[evidence_px].sum()) / denominator: the setup kernel's sum (`first`: its ink,
    its evidence, that sum, its pen count) while ink and evidence_px are its arrays (the
    closer look rebinds them when a line is taken out, never changes them in place)."""
    if ink is first[0] and evidence_px is first[1]:
        return first[2] / denominator
    return float(ink[evidence_px].sum()) / denominator


def _pen_hooks_none(
    ink: np.ndarray, evidence_px: np.ndarray, first: tuple[np.ndarray, np.ndarray, float, int], scale: float
) -> bool:
    """Do rims7's `thin_stain` and stain9's `bent_through` surely answer None (look20)? Both
    begin `if not ENABLED or int((evidence & (ink >= rims7.HOOK_PEN)).sum()) >=
    rims7.PEN_SPECK_MM2 * scale * scale: return None` (stain9 with rims7's constants). The
    setup kernel counted those pixels (`first[3]`) on its own ink and evidence; while the
    closer look's are those very arrays, a count at the bound means both return None before
    anything else, so not asking them cannot change the verdict (tests/test_look20.py: the
    same verdicts with PEN_HOOKS_SKIP off)."""
    return (
        PEN_HOOKS_SKIP
        and ink is first[0]
        and evidence_px is first[1]
        and first[3] >= rims7.PEN_SPECK_MM2 * scale * scale
    )


def _stain_hooks(
    image: np.ndarray,
    centre: tuple[float, float],
    half: int,
    scale: float,
    gain: float,
    paper: float,
    ink: np.ndarray,
    win_origin: tuple[int, int],
    lines: list[Line],
    shared: rims7.ReachShared,
    evidence: np.ndarray,
) -> ReviewReason | None:
    """rims7's `thin_stain`, then stain9's `bent_through` (a drop's rim bending through), on
    the same arguments and one `shared` extended window (look21); `evidence` last, so that
    edge22 can ask them without the border's edge."""
    args = (image, centre, half, scale, gain, paper, ink, evidence, win_origin, lines, shared)
    return rims7.thin_stain(*args) or stain9.bent_through(*args)


def inspect_square(
    image: np.ndarray,
    centre: tuple[float, float],
    scale: float,
    half: int,
    ring: int,
    levels: np.ndarray,
    gain: float,
    score: float,
    denominator: float,
    marginal: float,
    marked: float,
    page: lines7.PageSource | None = None,  # lines7: where the sheet is (None: its rules are off)
) -> Verdict:
    """The decision for one square whose fast score is at least `marginal`.
    `denominator`: the square's inside in px (the score's unit)."""
    view, x0, y0 = _window(image, centre[0], centre[1], half)
    win = np.ascontiguousarray(view)
    size_h, size_w = win.shape
    # look20: the window's setup in one compiled call (`kernels.closer_look_setup`), each
    # array and sum as the numpy it replaces (`reference.closer_look_setup_numpy`) computes
    # it, to the bit (tests/test_look20.py):
    # - inv: the inverse paper plane (`paper_inverse`); ink against it;
    # - paper_local: the paper interpolated from the whole ring (`coons_paper`: follows a
    #   stain's edge) and ink_local, the same ink against it (float32, as numpy has it);
    # - thin: the black top-hat over TOPHAT_MM, as ink;
    # - xs, ys: where in the window the square is (its centre, rounded as the window was);
    # - box: each pixel's Chebyshev distance from the centre; inside: the inside of the
    #   square, 0.35 mm in from its printed border; border: the printed border with 0.5 mm
    #   either side (search: the rest of the window);
    # - evidence_px: inside and pen-dark or thin; dark: inside and pen-dark (uint8);
    # - the sums ink.sum(), ink_local.sum(), ink[dark].sum(), ink[evidence_px].sum() and
    #   the count of evidence_px & (ink >= rims7.HOOK_PEN).
    k = max(3, int(TOPHAT_MM * scale) | 1)
    blackhat = _black_hat(win, k)
    inner = INSIDE_MM * scale
    (
        inv,
        ink,
        paper_local,
        ink_local,
        thin,
        xs,
        ys,
        box,
        inside,
        border,
        evidence_px,
        dark_u8,
        ink_sum,
        ink_local_sum,
        dark_sum,
        evidence_sum,
        pen_px,
    ) = kernels.closer_look_setup(
        win,
        blackhat,
        levels,
        ring,
        max(3, int(PROFILE_MM * scale) | 1),
        gain,
        centre[0] - x0,
        centre[1] - y0,
        inner,
        (TARGET / 2 + 0.5) * scale,
        DARK_INK,
        THIN_CONTRAST,
        rims7.HOOK_PEN,
    )
    first = (ink, evidence_px, evidence_sum, pen_px)  # the sums above hold while these are unchanged
    search = ~border
    score_local = score + (ink_local_sum - ink_sum) / denominator
    lines: list[Line] = []
    dark_inside = dark_sum / denominator
    # A dot's blob (and its blurred rim) stays out of the line search: a fold through a
    # square with a dot on it is still found.
    dot = dot_blob(dark_u8, scale)
    if dot is not None:
        search &= ~dot

    score_first, score_local_first, evidence_first = score, score_local, inside.copy()
    if dark_inside < marked:
        # Up to MAX_LINES lines (a fold across and a streak along, say), each found,
        # checked and taken out of the search before the next. Every band that passes
        # the continuation test is taken out whatever its share of the thin ink: two
        # lines of the paper crossing one square each hold about half of it, and a
        # hand's stroke never continues beyond the window at both ends.
        for _ in range(MAX_LINES):
            taken = _union_bands(xs, ys, lines, scale)
            line = find_crossing_line(thin, search, xs, ys, scale, float(half), min_share=0.0, hidden=taken)
            if line is None or not _continues(
                image, centre, line, half, scale, _axis_ink(ink, xs, ys, line, border) / gain
            ):
                break
            lines.append(line)
            band = _band(xs, ys, line, scale)
            if line.contrast >= LINE_FAINT:
                ev = _evidence(ink, evidence_px, first, denominator)
                return Verdict("marginal", "crossing_line", score, ev, line)
            score, score_local, evidence_px = _take_out(
                line,
                ink,
                ink_local,
                xs,
                ys,
                border,
                scale,
                gain,
                denominator,
                score,
                score_local,
                evidence_px,
            )
            search &= ~band
        if lines:
            # A line in the window's outer ring darkened the paper the score is measured
            # against (each side's level is its ring's 75 % grey, and a line along a side
            # covers the whole of it): measure the paper again without the bands, and take
            # the lines out of the ink against that paper.
            fixed = ring_levels(win, _union_bands(xs, ys, lines, scale), ring, levels)
            if fixed is not None:
                inv = paper_inverse(fixed, size_h, size_w, ring)
                ink2 = np.clip(gain * (1.0 - win * inv), 0.0, 1.0)
                score = score_first + float(ink2.sum() - ink.sum()) / denominator
                score_local = score_local_first
                ink = ink2
                evidence_px = evidence_first & ((ink >= DARK_INK) | (thin >= THIN_CONTRAST))
                for line in lines:
                    score, score_local, evidence_px = _take_out(
                        line,
                        ink,
                        ink_local,
                        xs,
                        ys,
                        border,
                        scale,
                        gain,
                        denominator,
                        score,
                        score_local,
                        evidence_px,
                    )
    else:
        # Much dark ink: a mark, unless it is one straight stroke across the whole square
        # that goes on beyond the window (a pen line through the row): then the commission.
        pen = _straight_stroke(ink, inside, xs, ys, scale, inner, dark_u8)
        if pen is not None and _continues(image, centre, pen, half, scale):
            ev = _evidence(ink, evidence_px, first, denominator)
            return Verdict("marginal", "crossing_line", score, ev, pen)
    line = lines[0] if lines else None
    ev = _evidence(ink, evidence_px, first, denominator)
    low = min(score, score_local)
    # A hesitation dot: the pen-dark ink in the square is one small blob and no other
    # evidence of a hand is left. Never a vote, never nothing: whatever else darkens the
    # square (a fold, a stain), the commission looks.
    if dot is not None and float(ink[evidence_px & ~dot].sum()) / denominator < marginal / 2:
        return Verdict("marginal", "marginal_mark", max(low, marginal), ev, line)
    if ev >= marginal / 2:
        # Strokes or dark ink in the square: a mark, or a mark's start.
        # pencil70: under `marked`, a light pencil stroke held inside the square (nothing
        # leaves it, a stroke's worth of even graphite as wide as a pencil's line) is asked
        # as a mark over `marked` is.
        under = low < marked
        if not under or pencil70.held(
            low, ink, thin, evidence_px, box, scale, _union_bands(xs, ys, lines, scale)
        ):
            # rims7: no pen-dark ink, and the thin evidence runs on beyond the window (a
            # ring's rim, a fingerprint's ridges): the commission, never `marked`.
            # look20: not asked where the setup's pen count answers for them (`_pen_hooks_none`).
            # look21: the two hooks ask with the same arguments; the extended window's work
            # (rims7.Reach: reach_mask, the labels, straight_reaching) is made once for both.
            stain_hooks = functools.partial(
                _stain_hooks,
                image,
                centre,
                half,
                scale,
                gain,
                float(max(levels)),
                ink,
                (x0, y0),
                lines,
                rims7.ReachShared(),
            )
            # edge22: a pen count over the speck bound only along the printed border's inner
            # edge (its blur darkened by a shadow, or drawn in by skew) is not a hand's: never
            # `marked` on it (nor `empty`): the hooks, asked without those pixels, or
            # `marginal_mark` give the reason.
            stain = edge22.border_only(ink, evidence_px, box, inner, scale, stain_hooks) or (
                None if _pen_hooks_none(ink, evidence_px, first, scale) else stain_hooks(evidence_px)
            )
            return Verdict(
                "marginal" if stain else "marked", stain, low, ev, line, settled=under and not stain
            )
        return Verdict("marginal", "marginal_mark", max(low, marginal), ev, line)
    # Sixth pass (stain6): a thumb print's ridges and nothing else: empty (stains6.py);
    # asked only of a square scoring `marginal` or with a line taken out (the clean path).
    ridges = (
        stains6.thumb_score(
            image, centre, half, scale, gain, denominator, win, float(max(levels)), inside, border, marginal
        )
        if score >= marginal or lines
        else None
    )
    # A line was taken out and what is left is faint: is there a faint stroke beside it
    # (light pencil crossed by a streak or a crease)? Or the square scores under
    # `marginal` (it came through the doubt band) and holds a faint stroke: light pencil.
    # Never `empty`: the commission looks.
    # Or fainter pencil (pass 5): a stroke once grain and noise are averaged out; or a
    # faint line taken out that stops at the window (a light pencil stroke taken for paper).
    proven = crease27.Proven(image, centre, half, scale, page)  # crease27: measured only when asked
    held = False  # stroke30: stroke28's yes (set where asked, below)
    if (ridges is None and (lines or score < marginal)) and (
        faint_stroke(thin, inside & search, scale)
        or pencil_stroke(
            win, (box <= inner - PENCIL_INSET_MM * scale) & search, scale, float(max(levels)), gain
        )
        # crease27: "it ends" from these three is taken back for a line proven to run on,
        # straight and at its own level, to the sheet's edge at both ends (asked only then)
        or any(
            stroke_taken_for_line(image, centre, ln, half, scale) and not proven(ln.theta, ln.rho)
            for ln in lines
        )
        or any(
            line_stops_short(image, centre, ln, half, scale, page) and not proven(ln.theta, ln.rho)
            for ln in lines
        )
        or lines7.hand_on_lines(
            image, centre, [(ln.theta, ln.rho) for ln in lines], half, scale, page, proven
        )
        # wrong8: a stroke lying along a line, taken out with it (the band carries more
        # ink through the square than the line does beyond the window)
        or wrong8.stroke_on_lines(image, centre, [(ln.theta, ln.rho) for ln in lines], half, scale)
        # fold24: the same on a dark fold or crease (no print inside the square, the paper
        # from the lighter side, an absolute excess), where wrong8 judges no position
        or fold24.stroke_on_fold(image, centre, [(ln.theta, ln.rho) for ln in lines], half, scale)
        or (
            bool(lines)
            and pencil_stroke(
                lines_divided_out(win, xs, ys, lines, ~border, scale),
                (box <= inner - PENCIL_INSET_MM * scale) & (dot is None or ~dot),
                scale,
                float(max(levels)),
                gain,
            )
        )
        # stroke28: a stroke along a line running on beyond the window, where the tests above
        # took the line's own level: darker through the square than the whole line to the
        # sheet's edge (asked last, only where every test above said no). stroke30: its yes is
        # `held`, so the reader's later settles (which take that line for the paper's) never
        # read the square `empty`.
        or (
            held := stroke28.stroke_on_run(
                image, centre, [(ln.theta, ln.rho) for ln in lines], half, scale, page
            )
        )
    ):
        return Verdict("marginal", "marginal_mark", max(low, marginal), ev, line, held=held)
    # No stroke and no dark ink: darkened paper (a stain's edge, a shadow) or a light
    # smooth mark (pencil, whose grain a low-resolution scan loses).
    if score < marginal or ridges is not None:
        # edge15: a faint straight stroke in the margin running up to the printed border
        # (a tick's arm across the square's corner): the commission, never `empty`.
        edge = Verdict("empty", None, score if ridges is None else ridges, ev, line, tuple(lines))
        # blob16: a light fill inside the square, the paper around it clean: the commission.
        fill = ridges is None and (
            _fill_inside((win, xs, ys, lines), inside, border, scale, levels, gain)
            or _strokes_under_lines(image, centre, lines, scale, levels, gain)
        )
        return (
            Verdict("marginal", "marginal_mark", max(score, marginal), ev, line)
            if fill
            else _unless_arm(
                edge, True, image, centre, half, scale, levels, gain, (thin, inside, border, search), marginal
            )
        )
    # broad42 (broad40's strokes where the sheet round the square is quiet) or a fill: `marked`
    # with no stroke evidence (`_broad_or_fill`).
    decided = _broad_or_fill(
        win, (inside, border, box), inner, scale, gain, low, marked, bool(lines), ev, line, (image, centre)
    )
    if decided is not None:
        return decided
    explained = score - score_local  # what the paper around the square accounts for
    hand = _hand_near_here(win, thin, inside, border, search, box, inner, scale, levels, gain)  # tidy9
    reason: ReviewReason = "marginal_mark"
    review_score = score
    if explained >= 0.5 * score:
        # Trust the ring only if the inside of the square is darkened the way the ring
        # predicts (a stain's edge does that; a stroke crossing the ring does not).
        predicted = float(np.clip(gain * (1.0 - paper_local * inv), 0.0, 1.0)[inside].sum())
        actual = float(ink[inside].sum())
        # Nor when a hand's stroke is in the square or crosses the window's margin (a
        # tick beside the square darkens the ring: pass 5, merged; `hand_near`).
        if (
            score_local < marginal
            and actual >= 0.5 * predicted >= 0.25 * marginal * denominator
            and not hand(False)  # stain_like
        ):
            return Verdict("empty", None, score_local, ev, line, tuple(lines))
        reason, review_score = "possible_stain", score_local
    # The paper under the window estimated from a wider neighbourhood (a grey closing
    # that follows a stain's curved edge and fills in its rim): a square whose ink
    # inside and around it that paper explains, with no pen-dark pixel, no faint stroke
    # and no darkening that stops at the printed border, is empty (issue 10, pass 5);
    # its score is then the ink inside beyond the window's floor. A faint stroke inside
    # that the window's margin has as much of (a thumb's ridges, a water ring's rim) is
    # the paper's too; a voter's light stroke stays in the square.
    # Never over a hand's evidence (pass 5, merged: light pencil ticks were read empty
    # here): a box-mean pencil stroke inside the square keeps it in review; a square the
    # ring did not explain (`marginal_mark`) is let go only with no faint stroke inside it
    # or in the window's margin (a tick's arm outside the square), and the margin's
    # exception (`faint_excess`) is for a `possible_stain` alone.
    m = stain_measures(image, centre, half, scale, gain, inside, border, search, denominator)
    if (
        paper_explains(m, marginal)
        and not hand(reason == "possible_stain")  # stain_like
        and not wrong8.stroke_inside(thin, inside, border, search, FAINT_STROKE, scale)
    ):  # wrong8: drawn inside
        # edge15: the margin's faint stroke `hand_near` ignored for a stain-like square is a
        # straight stroke running up to the printed border (a tick's arm): the commission.
        edge = Verdict("empty", None, m.inside - STAIN_NOISE * m.outside, ev, line)
        masks = (thin, inside, border, search)
        return _unless_arm(
            edge, reason == "possible_stain", image, centre, half, scale, levels, gain, masks, marginal
        )
    # Darkened like the ring but not explained (`possible_stain`), or ink inside the
    # square that is neither a stroke nor explained by the paper around it: a light
    # fill, or a stain smaller than the window (`marginal_mark`). The commission decides.
    return Verdict("marginal", reason, review_score, ev, line)


def _broad_or_fill(
    win: np.ndarray,
    masks: tuple[np.ndarray, np.ndarray, np.ndarray],
    inner: float,
    scale: float,
    gain: float,
    low: float,
    marked: float,
    lines_taken: bool,
    ev: float,
    line: Line | None,
    around: tuple[np.ndarray, tuple[float, float]],
) -> Verdict | None:
    """The closer look's last branch's ways to `marked` with no pen-dark or thin evidence, for
    a square whose lower score is at least `marked` (`masks`: inside, border, box):
    - broad40: a soft pencil's broad light strokes (an X or a tick 1-1.5 mm wide, too wide for
      the thin top-hat) across the square, in no line's band (OFF alone: a study), and broad42:
      the same strokes where the sheet round the square (`around`: the image and the square's
      centre) is quiet (ON);
    - a fill: the inside darkened, stopping at the printed border on every side, with a
      pencil's grain (a stain does not stop at a printed line, and is smooth)."""
    if low < marked:
        return None
    inside, border, box = masks
    if (
        (broad40.ENABLED or broad42.ENABLED)
        and not lines_taken
        and broad40.strokes(win, box <= inner, box > (TARGET / 2 + 0.5) * scale, scale)
        and (broad40.ENABLED or broad42.quiet_round(around[0], around[1], scale))
    ):
        return Verdict("marked", None, low, ev, line)
    if is_fill(win, inside, border, scale, gain):
        stain = rims7.fill_stain(win, inside, border)  # rims7: a drop is smooth, graphite is not
        stain = stain or fix8.smudge_stain(win, inside, border, scale, gain)  # fix8: nor a fill
        return Verdict("marginal" if stain else "marked", stain, low, ev, line)
    return None


def _take_out(
    line: Line,
    ink: np.ndarray,
    ink_local: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    border: np.ndarray,
    scale: float,
    gain: float,
    denominator: float,
    score: float,
    score_local: float,
    evidence_px: np.ndarray,
) -> tuple[float, float, np.ndarray]:
    """Take a line's own ink out of both scores and out of the evidence. Only the line's
    level across the band is removed (`line_residual`): a dot or a pencil stroke lying on
    the line is darker than it and keeps what lies above it. In the printed border's zone
    the line's level is divided out of each pixel (`border_line_ink`, its level from the
    band's clear part): the printed border is the same in every empty square, and ink
    under the line loses only the light the line took."""
    band = _band(xs, ys, line, scale)
    clear = band & ~border
    if not clear.any():
        return score, score_local, evidence_px & ~band
    zone = band & border
    offs = _offsets(xs, ys, line)
    kept = line_residual(ink, offs, clear)
    kept_local = line_residual(ink_local, offs, clear)
    score -= (float((ink - kept)[clear].sum()) + border_line_ink(ink, offs, clear, zone, gain)) / denominator
    score_local -= (
        float((ink_local - kept_local)[clear].sum()) + border_line_ink(ink_local, offs, clear, zone, gain)
    ) / denominator
    return score, score_local, evidence_px & (~band | (kept >= DARK_INK) | (kept >= 2 * THIN_CONTRAST))


RING_FREE = 0.5  # of a side of the ring that must lie outside the bands to measure it


def ring_levels(
    win: np.ndarray, bands: np.ndarray | None, ring: int, levels: np.ndarray
) -> np.ndarray | None:
    """The four sides' paper levels (top, bottom, left, right, as `kernels.window_local_ink`
    splits the ring: the grey at 75 % of each side's pixels) from the ring's pixels outside
    `bands`; None if no band touches the ring. A side the bands cover for more than half
    (a line running along it) takes the mean of the two sides across it, which span the
    window from end to end."""
    if bands is None:
        return None
    h, w = win.shape
    r = max(1, min(ring, w // 3, h // 3))
    sides = (
        (win[:r, :], bands[:r, :]),
        (win[h - r :, :], bands[h - r :, :]),
        (win[r : h - r, :r], bands[r : h - r, :r]),
        (win[r : h - r, w - r :], bands[r : h - r, w - r :]),
    )
    if not any(bool(b.any()) for _, b in sides):
        return None
    out = np.asarray(levels, np.float64).copy()
    lost = []
    for k, (g, b) in enumerate(sides):
        if not b.any():
            continue
        free = g[~b]
        if free.size >= RING_FREE * g.size:
            ordered = np.sort(free)
            out[k] = max(1.0, float(ordered[max(0, math.ceil(0.75 * free.size) - 1)]))
        else:
            lost.append(k)
    for k in lost:
        across = (2, 3) if k < 2 else (0, 1)
        if not any(a in lost for a in across):
            out[k] = (out[across[0]] + out[across[1]]) / 2
    return out


DOT_MM = 1.8  # a hesitation dot's dark blob fits in a box this wide (a 0.9-1.2 mm dot, blurred)
DOT_MIN_MM2 = 0.25  # smaller dark specks are noise
DOT_RIM_MM = 0.4  # the blurred rim around a dot's dark core
CLOSE_MM = 2.2  # a grey closing this wide takes out strokes and the printed border
FAINT_STROKE = 0.1  # thin contrast of a faint pencil stroke
FAINT_STROKE_MM = 1.5  # a faint component at least this long (its box's longer side)
# Light pencil fainter than that (issue 10, pass 5): each pixel is first the mean of its
# box PENCIL_SMOOTH_MM around (graphite's grain and a JPEG's noise averaged out), then
# compared with the boxes PENCIL_REACH_MM away on both sides, across or down.
PENCIL_SMOOTH_MM = 0.15
PENCIL_REACH_MM = 1.0
PENCIL_CONTRAST = 0.05
PENCIL_RUN_MM = 2.0
# ... looked for PENCIL_INSET_MM further in than the inside (0.6 mm in from the printed
# border): the border's blur and a JPEG's ringing beside it make a faint line along it.
PENCIL_INSET_MM = 0.25


def dot_blob(dark: np.ndarray, scale: float) -> np.ndarray | None:
    """If the pen-dark pixels `dark` (a mask) are one small compact blob (specks under
    DOT_MIN_MM2 ignored): that blob widened by DOT_RIM_MM (its blurred rim), else None.
    `reference.dot_blob_reference` is the same with a plain flood fill; `dot_blob_cv` with
    OpenCV's components (the reader's path until speed68)."""
    mask = np.ascontiguousarray(dark.view(np.uint8) if dark.dtype == np.bool_ else dark)
    blob = kernels.dot_component(mask, DOT_MIN_MM2 * scale * scale, DOT_MM * scale)
    if blob.shape[0] == 0:
        return None
    return _widen(blob, scale)


def dot_blob_cv(dark: np.ndarray, scale: float) -> np.ndarray | None:
    """`dot_blob` by OpenCV's connected components and their stats (speed68's reference)."""
    if dark.size == 0:
        return None  # OpenCV's labelling of an empty array crashes the process (speed69)
    n, labels, stats, _c = cv2.connectedComponentsWithStats(dark.astype(np.uint8), connectivity=8)
    min_area = DOT_MIN_MM2 * scale * scale
    # look21: the components of at least min_area in one numpy comparison (the int32 areas
    # against the float, exact either way), not a Python loop over every speck (`dot_blob_loop`)
    big = np.flatnonzero(stats[1:n, cv2.CC_STAT_AREA] >= min_area)
    if big.size != 1:
        return None
    i = int(big[0]) + 1
    side = max(int(stats[i, cv2.CC_STAT_WIDTH]), int(stats[i, cv2.CC_STAT_HEIGHT]))
    if side > DOT_MM * scale:
        return None
    return _widen(labels == i, scale)


def _widen(mask: np.ndarray, scale: float) -> np.ndarray:
    """`mask` and every pixel within DOT_RIM_MM of it (Chebyshev distance, a square kernel)."""
    r = max(1, round(DOT_RIM_MM * scale))
    out: np.ndarray = cv2.dilate(mask.astype(np.uint8), np.ones((2 * r + 1, 2 * r + 1), np.uint8)) > 0
    return out


FILL_STEP = 0.1  # the inside's background this much darker than every side of the margin
FILL_GRAIN = 1.5  # and this much rougher than the margin


def is_fill(win: np.ndarray, inside: np.ndarray, border: np.ndarray, scale: float, gain: float) -> bool:
    """Is the inside of the square a light fill: its background (a grey closing over
    CLOSE_MM, which takes out strokes, the printed border and grain) at its median at
    least FILL_STEP darker than the background of each side of the window's margin, and
    its grain (pixels against a 3 x 3 mean) FILL_GRAIN times the margin's?"""
    m = fill_measures(win, inside, border, scale, gain)
    if m is None:
        return False
    step, grain_in, grain_out = m
    return step >= FILL_STEP and grain_in >= FILL_GRAIN * max(0.5, grain_out)


def fill_measures(
    win: np.ndarray, inside: np.ndarray, border: np.ndarray, scale: float, gain: float
) -> tuple[float, float, float] | None:
    """(step, grain inside, grain in the margin) for `is_fill`; None when the window has
    no inside or a side of its margin is empty. `reference.fill_measures_reference` is the
    same with the closing and the mean written out."""
    k = max(3, int(CLOSE_MM * scale) | 1)
    bg = cv2.morphologyEx(win, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    h, w = win.shape
    outside = ~inside & ~border
    ys = np.arange(h)[:, None]
    xs = np.arange(w)[None, :]
    sides = (
        outside & (ys < h // 4),
        outside & (ys >= h - h // 4),
        outside & (xs < w // 4),
        outside & (xs >= w - w // 4),
    )
    if not inside.any() or not all(m.any() for m in sides):
        return None
    darkest_side = min(float(speed32.median(bg[m])) for m in sides)
    step = gain * (1.0 - float(speed32.median(bg[inside])) / max(1.0, darkest_side))
    f = win.astype(np.float64)
    grain = np.abs(f - cv2.blur(f, (3, 3)))
    return step, float(np.mean(grain[inside])), float(np.mean(grain[outside]))


STAIN_CLOSE_MM = 2.5  # a grey closing this wide takes out strokes, printed lines, a stain's rim
STAIN_OUT = 0.025  # ink around the square (in the window's margin) a stain may leave
STAIN_PEN = 0.45  # no pixel of the window (printed border's zone aside) this dark: a pen
STAIN_STEP = 0.05  # darkening that steps down at the printed border: a fill, not a stain
STAIN_DARKER = 0.05  # the inside darker than the paper just outside its border: a fill
STAIN_NOISE = 0.5  # of the margin's ink credited to the inside as the window's own floor
STAIN_STROKE_MM2 = 1.0  # faint thin features inside beyond the margin's: a voter's stroke


@dataclass(frozen=True)
class StainMeasures:
    """What `stain_measures` finds in one window against the paper of its neighbourhood."""

    inside: float  # ink inside the square (its own level), share of the inside
    outside: float  # ink in the window's margin, in the same unit
    pen: float  # the darkest pixel of the window outside the printed border's zone
    step: float  # the paper just inside the printed border against just outside, least side
    darker: float  # the inside's darkest paper against the darkest paper just outside


def paper_closing(region: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """(smoothed grey, paper) over `region`: a 3 x 3 mean (scanner grain), then a grey
    closing over STAIN_CLOSE_MM (an ellipse) that takes out what is thinner than that:
    strokes, the printed border, a stain's dried rim, a thumb's ridges. What is left is
    the paper, stain and all, following a stain's curved edge wherever it runs. Float32;
    `reference.paper_closing_reference` writes the mean and the closing out."""
    k = max(3, int(STAIN_CLOSE_MM * scale) | 1)
    sm: np.ndarray = cv2.blur(region.astype(np.float32), (3, 3))
    bg: np.ndarray = cv2.morphologyEx(
        sm, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    )
    return sm, bg


def stain_measures(
    image: np.ndarray,
    centre: tuple[float, float],
    half: int,
    scale: float,
    gain: float,
    inside: np.ndarray,
    border: np.ndarray,
    search: np.ndarray,
    denominator: float,
) -> StainMeasures:
    """The window's ink against the paper of a wider neighbourhood (`paper_closing` over
    the window and STAIN_CLOSE_MM around it). `inside`, `border`, `search` are masks of
    the window (`search`: not the printed border's zone, a dot or a line taken out)."""
    e = math.ceil(STAIN_CLOSE_MM * scale)
    ext, ex0, ey0 = _window(image, centre[0], centre[1], half + e)
    _, x0, y0 = _window(image, centre[0], centre[1], half)
    sm_all, bg_all = paper_closing(ext, scale)
    h, w = inside.shape
    sl = (slice(y0 - ey0, y0 - ey0 + h), slice(x0 - ex0, x0 - ex0 + w))
    sm, bg = sm_all[sl], np.maximum(bg_all[sl], 1.0)
    raw = ext[sl].astype(np.float32)
    ink = np.clip(gain * (1.0 - sm / bg), 0.0, 1.0)
    outside = ~inside & ~border
    pen_ink = np.clip(gain * (1.0 - raw / bg), 0.0, 1.0)[(inside | outside) & search]
    # The paper just inside the printed border (0.6 mm) and just outside it (0.3-0.9 mm
    # out), on each of the four sides (the triangles between the diagonals).
    ys = np.arange(h)[:, None] - (centre[1] - y0)
    xs = np.arange(w)[None, :] - (centre[0] - x0)
    box = np.maximum(np.abs(xs), np.abs(ys))
    inner = INSIDE_MM * scale
    band_in = inside & (box > inner - 0.6 * scale)
    band_out = (box > (TARGET / 2 + 0.3) * scale) & (box <= (TARGET / 2 + 0.9) * scale)
    steps = []
    for side in (ys < -np.abs(xs), ys > np.abs(xs), xs < -np.abs(ys), xs > np.abs(ys)):
        a, b = bg[band_in & side], bg[band_out & side]
        if a.size and b.size:
            steps.append(1.0 - float(speed32.median(a)) / float(speed32.median(b)))
    margin = outside & (box <= half)
    paper_ref = float(np.percentile(bg[margin], 90)) if margin.any() else float(bg.max())
    dark = 1.0 - bg / paper_ref
    darker = (
        float(np.percentile(dark[inside], 95)) - float(np.percentile(dark[band_out], 95))
        if inside.any() and band_out.any()
        else 1.0
    )
    return StainMeasures(
        inside=float(ink[inside & search].sum()) / denominator,
        outside=float(ink[outside & search].sum()) / denominator,
        pen=float(pen_ink.max()) if pen_ink.size else 0.0,
        step=min(steps) if len(steps) == 4 else 1.0,
        darker=darker,
    )


def paper_explains(m: StainMeasures, marginal: float) -> bool:
    """Does the paper of the neighbourhood explain the window: under `marginal` of ink
    inside the square beyond half the margin's (grain, JPEG, a rim: the window's own
    floor; the margin is as large as the inside) and little around it, no pen-dark pixel, and no darkening that
    stops at the printed border (a light fill does; a stain does not stop at a printed
    line) or sits inside the square darker than the paper just outside it."""
    return (
        m.inside - STAIN_NOISE * m.outside < marginal
        and m.outside < STAIN_OUT
        and m.pen < STAIN_PEN
        and m.step < STAIN_STEP
        and m.darker < STAIN_DARKER
    )


def _hand_near_here(
    win: np.ndarray,
    thin: np.ndarray,
    inside: np.ndarray,
    border: np.ndarray,
    search: np.ndarray,
    box: np.ndarray,
    inner: float,
    scale: float,
    levels: np.ndarray,
    gain: float,
) -> Callable[[bool], bool]:
    """`hand_near` on one square of `inspect_square` as a function of `stain_like` alone
    (tidy9: its two calls there had the same nine arguments written out twice); the
    pencil's inset mask is cut only when asked, as before."""

    def hand(stain_like: bool) -> bool:
        pencil_inside = box <= inner - PENCIL_INSET_MM * scale
        return hand_near(
            win,
            thin,
            inside,
            border,
            search,
            pencil_inside,
            scale,
            float(max(levels)),
            gain,
            stain_like=stain_like,
        )

    return hand


def hand_near(
    win: np.ndarray,
    thin: np.ndarray,
    inside: np.ndarray,
    border: np.ndarray,
    search: np.ndarray,
    inset: np.ndarray,
    scale: float,
    paper: float,
    gain: float,
    stain_like: bool,
) -> bool:
    """Evidence of a hand that keeps a square the paper explains out of `empty`: a
    `pencil_stroke` in `inset` (the inside, PENCIL_INSET_MM further in), or a
    `faint_stroke` inside the square, unless the square is `stain_like` (the ring
    explained it) and the margin has as much of it (`faint_excess`: a thumb's ridges, a
    ring's rim); when not `stain_like`, a faint stroke in the window's margin too (a
    tick whose arm lies outside the square)."""
    margin = ~inside & ~border & search
    if pencil_stroke(win, inset & search, scale, paper, gain):
        return True
    if faint_stroke(thin, inside & search, scale):
        if not stain_like:
            return True
        if faint_excess(thin, inside & search, margin, scale) >= STAIN_STROKE_MM2:
            return True
    return not stain_like and faint_stroke(thin, margin, scale)


def _unless_arm(
    empty: Verdict,
    ignored: bool,
    image: np.ndarray,
    centre: tuple[float, float],
    half: int,
    scale: float,
    levels: np.ndarray,
    gain: float,
    masks: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    marginal: float,
) -> Verdict:
    """edge15: `empty`, unless the window's margin holds a faint stroke that the test before
    it ignored (`ignored`; what `hand_near` asks when not stain-like) and `edge15.tick_arm`
    finds a hand's stroke running up to the printed border: then review (`marginal_mark`)."""
    thin, inside, border, search = masks
    if not (ignored and edge15.ENABLED and faint_stroke(thin, ~inside & ~border & search, scale)):
        return empty
    if not edge15.tick_arm(image, centre, half, scale, float(max(levels)), gain):
        return empty
    return Verdict("marginal", "marginal_mark", max(empty.score, marginal), empty.evidence, empty.line)


def _fill_inside(
    window: tuple[np.ndarray, np.ndarray, np.ndarray, list[Line]],
    inside: np.ndarray,
    border: np.ndarray,
    scale: float,
    levels: np.ndarray,
    gain: float,
) -> bool:
    """blob16: on the closer look's last `empty` (no stroke, no dark ink, under `marginal`),
    `blob16.fill_inside` on the window with the lines taken out divided out."""
    if not blob16.ENABLED:
        return False
    win, xs, ys, lines = window
    clean = lines_divided_out(win, xs, ys, lines, ~border, scale) if lines else win
    return blob16.fill_inside(clean, inside, ~inside & ~border, scale, float(max(levels)), gain)


def _strokes_under_lines(
    image: np.ndarray,
    centre: tuple[float, float],
    lines: list[Line],
    scale: float,
    levels: np.ndarray,
    gain: float,
) -> bool:
    """fold17: on the closer look's last `empty` with lines taken out, `fold17.strokes` on a
    crop round the square (as large as its tests look) with those lines divided out."""
    if not (lines and fold17.ENABLED):
        return False
    got = crop.around(image, centre, math.ceil(fold17.CROP_MM * scale))
    if got is None:
        return False
    win, xs, ys = got
    box = np.maximum(np.abs(xs), np.abs(ys))
    border = (box > fold17.INSIDE_MM * scale) & (box <= fold17.BORDER_MM * scale)
    divided = lines_divided_out(win, xs, ys, lines, ~border, scale)
    return fold17.strokes(divided, (-float(xs[0, 0]), -float(ys[0, 0])), scale, levels, gain)


def faint_excess(thin: np.ndarray, inside: np.ndarray, margin: np.ndarray, scale: float) -> float:
    """mm2 of faint thin features (black top-hat >= FAINT_STROKE) in `inside` beyond
    those in `margin` (the window's margin is about as large as the square's inside): a
    thumb's ridges or a ring's rim run through both, a voter's stroke stays inside."""
    faint = thin >= FAINT_STROKE
    return float(int((faint & inside).sum()) - int((faint & margin).sum())) / (scale * scale)


def faint_stroke(thin: np.ndarray, where: np.ndarray, scale: float) -> bool:
    """A faint stroke: a connected run of thin features (black top-hat >= FAINT_STROKE) in
    `where` at least FAINT_STROKE_MM long."""
    mask = (where & (thin >= FAINT_STROKE)).astype(np.uint8)
    n, _labels, stats, _c = cv2.connectedComponentsWithStats(mask, connectivity=8)
    longest = max(
        (max(int(stats[i, cv2.CC_STAT_WIDTH]), int(stats[i, cv2.CC_STAT_HEIGHT])) for i in range(1, n)),
        default=0,
    )
    return longest >= FAINT_STROKE_MM * scale


def stroke_contrast(win: np.ndarray, scale: float, paper: float, gain: float) -> np.ndarray:
    """Each pixel of the window as a stroke: how much darker (as ink against `paper`) the
    mean of its (2b + 1)^2 box (b = PENCIL_SMOOTH_MM) is than the lighter of the boxes
    PENCIL_REACH_MM away on both sides, across or down (the window's edge clamped). What
    `kernels.faint_runs` computes with `smooth_mm` inside a square (the same whole-number
    box sums, the same division); `reference.stroke_contrast_reference` in plain loops."""
    b = max(0, int(np.rint(PENCIL_SMOOTH_MM * scale)))
    d = max(1, int(np.rint(PENCIL_REACH_MM * scale)))
    e = d + b
    h, w = win.shape
    g = np.pad(np.ascontiguousarray(win, np.uint8), e, mode="edge")
    integ = cv2.integral(g, sdepth=cv2.CV_32S).astype(np.int64)  # whole numbers: exact
    side = 2 * b + 1
    sums = integ[side:, side:] - integ[:-side, side:] - integ[side:, :-side] + integ[:-side, :-side]
    # sums[i, j]: the box centred on the window's pixel (i - d, j - d).
    centre = sums[d : d + h, d : d + w]
    across = np.minimum(sums[d : d + h, :w], sums[d : d + h, 2 * d : 2 * d + w])
    down = np.minimum(sums[:h, d : d + w], sums[2 * d : 2 * d + h, d : d + w])
    t = np.maximum(across, down) - centre
    out: np.ndarray = gain * t.astype(np.float64) / (max(1.0, paper) * (side * side))
    return out


def pencil_stroke(win: np.ndarray, where: np.ndarray, scale: float, paper: float, gain: float) -> bool:
    """Light pencil: a connected run (8-connected) of pixels in `where` whose
    `stroke_contrast` is at least PENCIL_CONTRAST, its box at least PENCIL_RUN_MM long."""
    mask = (where & (stroke_contrast(win, scale, paper, gain) >= PENCIL_CONTRAST)).astype(np.uint8)
    n, _labels, stats, _c = cv2.connectedComponentsWithStats(mask, connectivity=8)
    longest = max(
        (max(int(stats[i, cv2.CC_STAT_WIDTH]), int(stats[i, cv2.CC_STAT_HEIGHT])) for i in range(1, n)),
        default=0,
    )
    return longest >= PENCIL_RUN_MM * scale


PENCIL_LINE = 0.1  # a line taken out this faint (its band's median thin contrast) ...
PENCIL_LINE_SEEN = 0.05  # ... as dark as this along its path through the window ...
PENCIL_LINE_ENDS = 0.3  # ... and beyond the window at one end under this share of that


def stroke_taken_for_line(
    image: np.ndarray, centre: tuple[float, float], line: Line, half: int, scale: float
) -> bool:
    """Is a faint line the crossing-line rule took out a pencil stroke that stops at the
    window? Along the line's path through the window and 1-4 mm beyond it at each end, the
    darkest of three paths 0.3 mm apart against the mean of the same on both sides 1.2 mm
    away (the same statistic on the line and on the paper, so that noise alone gives
    about 0, not the few per cent the continuation test's darkest-against-lightest gives
    on plain paper at JPEG quality 50); the median of each part. A fold, a crease, a streak
    is as dark beyond the window as in it; a pencil stroke is not there any more."""
    if line.contrast >= PENCIL_LINE:
        return False
    c, s = math.cos(line.theta), math.sin(line.theta)
    fx, fy = centre[0] + line.rho * c, centre[1] + line.rho * s
    t_lo, t_hi = _chord(line.rho, c, s, float(half))
    seen = _path_contrast(image, fx, fy, c, s, np.arange(t_lo, t_hi, 0.25 * scale), scale, judge=True)
    if not seen >= PENCIL_LINE_SEEN:
        return False
    beyond = [
        _path_contrast(
            image, fx, fy, c, s, t_edge + sign * np.arange(1.0, 4.0, 0.25) * scale, scale, judge=True
        )
        for sign, t_edge in ((-1.0, t_lo), (1.0, t_hi))
    ]
    return any(b < PENCIL_LINE_ENDS * seen for b in beyond)  # line6: an end not judged (nan) never fires


def lines_divided_out(
    win: np.ndarray, xs: np.ndarray, ys: np.ndarray, lines: list[Line], clear: np.ndarray, scale: float
) -> np.ndarray:
    """The window with each line's own level divided out of its band (pass 5, merged): at
    each whole-pixel distance from the line's axis, the median grey of the band's pixels
    in `clear` against the median grey of the paper BESIDE_MM beside the band (in
    `clear`). A fold or a streak leaves paper; a pencil scribble lying along a streak,
    which the bands cut into pieces too short for a stroke test, is whole again. uint8."""
    out = win.astype(np.float32)
    hb = LINE_BAND_MM / 2 * scale
    for line in lines:
        d = xs * math.cos(line.theta) + ys * math.sin(line.theta) - line.rho
        offs = np.rint(d).astype(np.int64)
        band = np.abs(d) <= hb
        beside = (np.abs(d) > hb + 1) & (np.abs(d) <= hb + 1 + BESIDE_MM * scale) & clear
        if not beside.any():
            continue
        paper = max(1.0, float(speed32.median(win[beside])))
        # each distance's median from one stable sort, as `_levels` takes them
        keys, meds = speed32.group_medians(offs[band & clear], win[band & clear])
        for o, m in zip(keys.tolist(), meds, strict=True):
            r = float(m) / paper
            if 0.0 < r < 1.0:
                out[band & (offs == o)] /= r
    res: np.ndarray = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    return res


FAR_MM = (4.0, 10.0)  # a line of the paper is still there this far beyond the window
FAR_ON_IMAGE = 0.5  # of the positions there that must be on the image to judge an end
FAR_TURN_DEG = 6  # the path beyond the window turned this far either way, 1-degree steps


def line_stops_short(
    image: np.ndarray,
    centre: tuple[float, float],
    line: Line,
    half: int,
    scale: float,
    page: lines7.PageSource | None = None,  # show43: the title side's print behind the line
) -> bool:
    """Is a line the crossing-line rule took out gone FAR_MM beyond the window at one
    end (pass 5, merged)? A fold, a crease, a streak, show-through run from edge to edge
    of the sheet; a tick's long arm across the window's corner goes on 1-4 mm past it
    (where `_continues` looks) and stops. Seen along its path through the window at
    PENCIL_LINE_SEEN or more (`_path_contrast`), and at one end, FAR_MM beyond the
    window, under PENCIL_LINE_ENDS of that on every path from where it leaves the window
    turned up to FAR_TURN_DEG either way (the line's angle is known to a few degrees
    only): a stroke (review). An end whose positions are mostly off the image is not
    judged."""
    c, s = math.cos(line.theta), math.sin(line.theta)
    fx, fy = centre[0] + line.rho * c, centre[1] + line.rho * s
    t_lo, t_hi = _chord(line.rho, c, s, float(half))
    seen = _path_contrast(image, fx, fy, c, s, np.arange(t_lo, t_hi, 0.25 * scale), scale)
    if not seen >= PENCIL_LINE_SEEN:
        return False
    hh, ww = image.shape
    reach = BESIDE_MM * scale + 1
    turns = np.radians(np.arange(-FAR_TURN_DEG, FAR_TURN_DEG + 0.5, 1.0))
    t_mid = (t_lo + t_hi) / 2  # rim46: the chord's middle
    for sign, t_edge in ((-1.0, t_lo), (1.0, t_hi)):
        ex, ey = fx - t_edge * s, fy + t_edge * c  # where the line leaves the window
        ts = sign * np.arange(FAR_MM[0], FAR_MM[1], 0.25) * scale
        best, judged = -1.0, False
        for turn in turns:
            c2, s2 = math.cos(line.theta + turn), math.sin(line.theta + turn)
            px, py = ex - ts * s2, ey + ts * c2
            on = (np.minimum(px, py) >= reach) & (px < ww - reach) & (py < hh - reach)
            if float(on.mean()) < FAR_ON_IMAGE:
                continue
            judged = True
            best = max(best, _path_contrast(image, ex, ey, c2, s2, ts[on], scale))
        # rim46: a stain's rim or a bending crease curves on beyond the window: not gone
        if (
            judged
            and best < PENCIL_LINE_ENDS * seen
            # show43: a line on the title side's known print ends where the print does
            and not show43.line_on_print(centre, line.theta, line.rho, (t_lo, t_hi), seen, half, scale, page)
            and not rim46.bends_on(
                image,
                [(ex, ey, 0.0)]
                + ([(fx - t_mid * s, fy + t_mid * c, abs(t_edge - t_mid))] if rim46.MIDDLE else []),
                (-sign * s, sign * c),
                PENCIL_LINE_ENDS * seen,
                FAR_MM,
                scale,
                BESIDE_MM,
                LINE_FAINT,
                FAR_ON_IMAGE,
            )
        ):
            return True
    return False


def _path_contrast(
    image: np.ndarray,
    fx: float,
    fy: float,
    c: float,
    s: float,
    ts: np.ndarray,
    scale: float,
    judge: bool = False,  # line6: nan where the path is mostly over print
) -> float:
    """Median over the positions `ts` along the line (foot (fx, fy), normal (c, s)) of
    1 - on / paper: `on` the darkest of the paths 0.3 mm either side of the line and on it,
    `paper` the mean of the same taken 1.2 mm to each side. Positions off the image are
    left out; none left: 0 (nothing seen)."""
    px = fx - ts * s
    py = fy + ts * c

    # line6: every pixel within 0.3 mm of the line and of each side's path; pass32: the three
    # in one step (`speed32.darkest_paths`, `reference.darkest_paths_reference` its loop)
    on, left, right = speed32.darkest_paths(
        image,
        px,
        py,
        c,
        s,
        [lines6.path_offsets(at, scale) for at in (0.0, -BESIDE_MM * scale, BESIDE_MM * scale)],
    )
    paper = (left + right) / 2
    v = 1.0 - on / np.maximum(paper, 1.0)
    # Print beside or on the path (the next square's border, a timing mark, a name) is
    # not paper: positions with a sample LINE_FAINT darker than the lighter side's
    # median are left out (a faint line or light pencil never is).
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(v)
        if ok.any():
            level = float(speed32.median(np.maximum(left, right)[ok]))
            ok &= np.minimum(np.minimum(on, left), right) > (1.0 - LINE_FAINT) * level
    v = v[ok]
    if judge and lines6.unjudged(len(v), len(ts)):  # line6: a path mostly over print says nothing
        return math.nan
    return float(speed32.median(v)) if len(v) else 0.0


def _straight_stroke(
    ink: np.ndarray,
    inside: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    scale: float,
    inner: float,
    dark: np.ndarray | None = None,
) -> Line | None:
    """The dark ink inside the square as one straight stroke, if it is one: spread less than
    0.35 mm across its axis, covering the whole inside along it. `dark`: inside & (ink >=
    DARK_INK) when the caller has it. look20: the sums in two compiled calls
    (`kernels.stroke_moments`, `kernels.stroke_spread`, numpy's pairwise order), the angle
    in Python's math as before; `reference.straight_stroke_numpy` is the numpy it replaced
    (tests/test_look20.py: the same answer to the bit)."""
    if dark is None:
        dark = inside & (ink >= DARK_INK)
    n, w_sum, mu, mv, cuu, cvv, cuv = kernels.stroke_moments(ink, dark, xs, ys)
    if n < 4:
        return None
    along = 0.5 * math.atan2(2 * cuv, cuu - cvv)
    theta = (along + math.pi / 2) % math.pi
    c, s = math.cos(theta), math.sin(theta)
    spread, pos_max, pos_min = kernels.stroke_spread(ink, dark, xs, ys, mu, mv, c, s)
    if math.sqrt(spread / w_sum) > 0.35 * scale:
        return None
    rho = mu * c + mv * s
    t_lo, t_hi = _chord(rho, c, s, inner)
    if t_hi - t_lo < 1.0 * scale or pos_max - pos_min < 0.9 * (t_hi - t_lo):
        return None
    return Line(theta, rho, 1.0, float(speed32.median(ink[dark != 0])))


ABOVE_LINE = 0.1  # ink this much above the line's own level is something else on it


def _offsets(xs: np.ndarray, ys: np.ndarray, line: Line) -> np.ndarray:
    """Each pixel's signed distance to the line, rounded to whole px (the profile's bins)."""
    d = xs * math.cos(line.theta) + ys * math.sin(line.theta) - line.rho
    out: np.ndarray = np.rint(d).astype(np.int64)
    return out


def line_residual(ink: np.ndarray, offs: np.ndarray, clear: np.ndarray) -> np.ndarray:
    """The ink in the band `clear` that is not the line's own: the line's level at each
    distance from its axis is the median of the band's ink at that distance (a dot or a
    stroke covers a small part of the line's length); a pixel keeps what it has above that
    level when that is at least ABOVE_LINE, else nothing. Outside `clear`: the ink as it is.
    `reference.line_residual_reference` is the same in plain loops."""
    out = ink.astype(np.float64, copy=True)
    if not clear.any():
        return out
    o = offs[clear]
    v = out[clear]
    lo, level = _levels(out, offs, clear)
    above = v - level[o - lo]
    out[clear] = np.where(above >= ABOVE_LINE, above, 0.0)
    return out


def _levels(ink: np.ndarray, offs: np.ndarray, clear: np.ndarray) -> tuple[int, np.ndarray]:
    """The line's level at each whole-pixel distance from its axis: the median of the band's
    ink in `clear` at that distance (the lowest distance, the levels from it up; 0 where
    `clear` has no pixel at a distance)."""
    o = offs[clear]
    v = ink[clear]
    lo = int(o.min())
    level = np.zeros(int(o.max()) - lo + 1)
    # pass32: one sort for all distances (`reference.levels_reference`: a median each)
    keys, meds = speed32.group_medians(o, v)
    for b, m in zip(keys.tolist(), meds, strict=True):
        level[b - lo] = float(m)
    return lo, level


LINE_MAX_LEVEL = 0.45  # the darkest level divided out (LINE_FAINT: darker is a pen, review)


def border_line_ink(
    ink: np.ndarray, offs: np.ndarray, clear: np.ndarray, zone: np.ndarray, gain: float
) -> float:
    """The ink a line of the paper adds in `zone` (its band inside the printed border's zone),
    with its level measured in `clear` (the rest of its band, `_levels`). A line darkens the
    paper under it by a factor: a pixel of ink `i` under a line of level `L` (ink on bare
    paper) would have had `gain - (gain - i) / (1 - L / gain)` without it, so the line added
    `(gain - i) * d / (1 - d)`, `d = L / gain`: its whole level on bare paper, nothing on the
    printed border's black (ink 1), a little on a stroke. Distances `clear` never saw add
    nothing. `reference.border_line_ink_reference` is the same in plain loops."""
    if not clear.any() or not zone.any():
        return 0.0
    lo, level = _levels(ink, offs, clear)
    o = offs[zone] - lo
    ok = (o >= 0) & (o < len(level))
    lv = np.zeros(o.shape)
    lv[ok] = level[o[ok]]
    d = np.minimum(lv, LINE_MAX_LEVEL) / gain
    i = ink[zone].astype(np.float64)
    added = np.where(i < 1.0, (gain - i) * d / (1.0 - d), 0.0)
    return float(added.sum())


def _union_bands(xs: np.ndarray, ys: np.ndarray, lines: list[Line], scale: float) -> np.ndarray | None:
    """The bands of the lines taken out so far, or None before the first."""
    if not lines:
        return None
    out = _band(xs, ys, lines[0], scale)
    for line in lines[1:]:
        out = out | _band(xs, ys, line, scale)
    return out


def _band(xs: np.ndarray, ys: np.ndarray, line: Line, scale: float) -> np.ndarray:
    d = xs * math.cos(line.theta) + ys * math.sin(line.theta) - line.rho
    out: np.ndarray = np.abs(d) <= LINE_BAND_MM / 2 * scale
    return out


def _candidates(thin: np.ndarray, inside: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Pixels that may belong to a line, weighted by how far they stand above the
    window's own noise (the 85th percentile of its thin features: a line covers a few
    per cent of the window; noise and JPEG ringing cover all of it)."""
    values = thin[inside]
    if values.size == 0:
        return None
    floor = max(LINE_MIN_CONTRAST, float(speed32.percentile(values, 85)) + 0.02)
    sel = inside & (thin >= floor)
    yy, xx = np.nonzero(sel)
    if len(yy) < 4:
        return None
    # Whole numbers (1/4096 of the paper): every sum of them is exact, so the fast and the
    # reference search add up to the same votes and pick the same band on a tie.
    return yy, xx, np.floor((thin[sel] - (floor - 0.02)) * 4096.0).astype(np.float64) / 4096.0


def find_crossing_line(
    thin: np.ndarray,
    inside: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    scale: float,
    inner: float,
    min_share: float = LINE_SHARE,
    hidden: np.ndarray | None = None,
) -> Line | None:
    """The straight band (LINE_BAND_MM wide) holding most of the thin ink inside the
    square, if it holds at least `min_share` of it and crosses the whole inside (where
    `hidden`, the bands of lines already taken out, does not hide it).
    A weighted Hough transform: every thin pixel votes for each angle's offset."""
    cand = _candidates(thin, inside)
    if cand is None:
        return None
    yy, xx, w = cand
    u = xs[0, xx]
    v = ys[yy, 0]
    total = float(w.sum())
    thetas = np.arange(ANGLES) * (math.pi / ANGLES)
    cos, sin = np.cos(thetas), np.sin(thetas)
    reach = math.ceil(float(np.hypot(np.abs(xs).max(), np.abs(ys).max()))) + 1
    rho = np.rint(u[None, :] * cos[:, None] + v[None, :] * sin[:, None]).astype(np.int64) + reach
    bins = 2 * reach + 1
    votes = np.bincount((np.arange(ANGLES)[:, None] * bins + rho).ravel(), np.tile(w, ANGLES), ANGLES * bins)
    votes = votes.reshape(ANGLES, bins)
    hb = max(1, int(LINE_BAND_MM / 2 * scale))
    csum = np.concatenate([np.zeros((ANGLES, 1)), np.cumsum(votes, axis=1)], axis=1)
    lo = np.clip(np.arange(bins) - hb, 0, bins)
    hi = np.clip(np.arange(bins) + hb + 1, 0, bins)
    band_sums = csum[:, hi] - csum[:, lo]
    a, r = np.unravel_index(int(np.argmax(band_sums)), band_sums.shape)
    share = float(band_sums[a, r]) / total
    if share < min_share:
        return None
    line = Line(float(thetas[a]), float(r - reach), share, 0.0)
    return _checked(line, u, v, w, scale, inner, _hidden(hidden, xs, ys, inside))


def _hidden(
    hidden: np.ndarray | None, xs: np.ndarray, ys: np.ndarray, inside: np.ndarray | None = None
) -> tuple[np.ndarray, float, float] | None:
    """What the length check leaves out: the bands of lines already taken out and (pass 5)
    whatever the search does not look at (`inside` False: the printed border's zone, a
    dot), as (mask, u of column 0, v of row 0)."""
    mask = hidden if inside is None else (~inside if hidden is None else (~inside | hidden))
    return None if mask is None else (mask, float(xs[0, 0]), float(ys[0, 0]))


def _checked(
    line: Line,
    u: np.ndarray,
    v: np.ndarray,
    w: np.ndarray,
    scale: float,
    inner: float,
    hidden: tuple[np.ndarray, float, float] | None = None,
) -> Line | None:
    """Refine the band's line (weighted least squares over its pixels: a 1.2 mm band
    allows several degrees, and the line is followed for millimetres beyond the window),
    then check that it crosses the whole inside (LINE_COVER of its length, 0.5 mm steps).
    `hidden`: (mask, u of column 0, v of row 0): the bands of lines already taken out and
    the parts of the window the search does not look at (the printed border's zone); a
    step whose point on the line lies there is left out of the length (the line is there,
    under the other line's band or beside the printed border, but the search cannot see
    it). At least 1 mm of the line must be seen. A line running along the printed border
    is seen only in the window's margin at its two ends (issue 10, pass 5)."""
    hb = max(1, int(LINE_BAND_MM / 2 * scale)) + 0.5
    c, s = math.cos(line.theta), math.sin(line.theta)
    on = np.abs(u * c + v * s - line.rho) <= hb
    if int(on.sum()) < 3:
        return None
    wu, wv, ww = u[on], v[on], w[on]
    mu, mv = float((wu * ww).sum() / ww.sum()), float((wv * ww).sum() / ww.sum())
    du, dv = wu - mu, wv - mv
    cuu, cvv, cuv = float((ww * du * du).sum()), float((ww * dv * dv).sum()), float((ww * du * dv).sum())
    # The normal is the eigenvector of the smaller eigenvalue of the weighted scatter.
    along = 0.5 * math.atan2(2 * cuv, cuu - cvv)  # direction of the larger spread
    theta = (along + math.pi / 2) % math.pi
    c, s = math.cos(theta), math.sin(theta)
    rho = mu * c + mv * s
    on = np.abs(u * c + v * s - rho) <= hb
    if int(on.sum()) < 3:
        return None
    pos = -u[on] * s + v[on] * c
    t_lo, t_hi = _chord(rho, c, s, inner)
    if t_hi - t_lo < 1.0 * scale:
        return None
    # It crosses the window: the line is in the window's margin (outside the printed
    # border's zone) at both ends. A hand's stroke inside the square is not.
    margin = np.maximum(np.abs(u[on]), np.abs(v[on])) > (TARGET / 2 + 0.5) * scale
    mid = (t_lo + t_hi) / 2
    ends = (bool((margin & (pos < mid)).any()), bool((margin & (pos > mid)).any()))
    if not all(ends) and not lines6.end_hidden(ends, rho, c, s, t_lo, t_hi, scale, hidden):  # line6
        return None
    step = 0.5 * scale
    nbins = max(1, int((t_hi - t_lo) / step))
    idx = np.clip(((pos - t_lo) / step).astype(np.int64), 0, nbins - 1)
    seen = np.unique(idx)
    length = nbins
    if hidden is not None:
        mask, u0, v0 = hidden
        t = t_lo + (np.arange(nbins) + 0.5) * step
        ix = np.rint(rho * c - t * s - u0).astype(np.int64)
        iy = np.rint(rho * s + t * c - v0).astype(np.int64)
        h, w_ = mask.shape
        ok = (ix >= 0) & (iy >= 0) & (ix < w_) & (iy < h)
        under = np.zeros(nbins, np.bool_)
        under[ok] = mask[iy[ok], ix[ok]]
        under[seen] = False
        length = nbins - int(under.sum())
        if length * step < 1.0 * scale:
            return None  # too little of it to be seen
    cover = len(seen) / length
    if cover < LINE_COVER:
        return None
    contrast = float(speed32.median(w[on]))
    return Line(theta, rho, line.share, contrast)


def _chord(rho: float, c: float, s: float, inner: float) -> tuple[float, float]:
    """Where the line u*c + v*s = rho runs inside |u|, |v| <= inner, as positions along
    its direction (-s, c) from its foot point."""
    lo, hi = -1e9, 1e9
    # point(t) = rho * (c, s) + t * (-s, c)
    for p0, dp in ((rho * c, -s), (rho * s, c)):
        if abs(dp) < 1e-12:
            if abs(p0) > inner:
                return 0.0, 0.0
            continue
        a, b = (-inner - p0) / dp, (inner - p0) / dp
        lo, hi = max(lo, min(a, b)), min(hi, max(a, b))
    return (lo, hi) if hi > lo else (0.0, 0.0)


def _axis_ink(ink: np.ndarray, xs: np.ndarray, ys: np.ndarray, line: Line, border: np.ndarray) -> float:
    """The line's ink on its axis in the window (the median within a pixel of it, outside
    the printed border's zone; 0 if none)."""
    on = (np.abs(_offsets(xs, ys, line)) <= 1) & ~border
    return float(speed32.median(ink[on])) if on.any() else 0.0


def _continues(
    image: np.ndarray, centre: tuple[float, float], line: Line, half: int, scale: float, axis: float = 0.0
) -> bool:
    """Is the line still there beyond the window, at both ends? Grey on the line against
    the lighter of the paper 1.2 mm to each side, 1-4 mm past the window's edge."""
    hh, ww = image.shape
    c, s = math.cos(line.theta), math.sin(line.theta)
    fx, fy = centre[0] + line.rho * c, centre[1] + line.rho * s
    # Distance along the line from the foot to the window's edge (the square window's
    # half-diagonal bounds it; use where the line leaves the window).
    t_lo, t_hi = _chord(line.rho, c, s, float(half))
    ends = []
    for sign, t_edge in ((-1.0, t_lo), (1.0, t_hi)):
        ts = t_edge + sign * np.arange(BEYOND_MM[0], BEYOND_MM[1], 0.25) * scale
        px = fx - ts * s
        py = fy + ts * c
        rel = []
        # On the line: the darkest of the paths a whole pixel apart within 0.3 mm of it
        # (the line's angle is known to a fraction of a degree, and a streak one pixel
        # wide is missed by paths 0.3 mm apart: pass 5); the paper 1.2 mm to each side.
        near = max(1, round(0.3 * scale))
        offsets = [float(k) for k in range(-near, near + 1)]
        for off in (*offsets, -BESIDE_MM * scale, BESIDE_MM * scale):
            qx = np.rint(px + off * c).astype(np.int64)
            qy = np.rint(py + off * s).astype(np.int64)
            if qx.min() < 0 or qy.min() < 0 or qx.max() >= ww or qy.max() >= hh:
                return False
            rel.append(image[qy, qx].astype(np.float64))
        paper = np.maximum(rel[-2], rel[-1])
        on_line = np.min(np.stack(rel[:-2]), axis=0)
        ends.append(float(speed32.median(1.0 - on_line / np.maximum(paper, 1.0))))
    # The same line beyond the window is about as dark as in it: at least 0.35 of its thin
    # contrast, and (pass 5) of its darkness on its axis (`axis`: ink / gain, the share of
    # light it takes, as `ends` measures it). A wide felt-tip stroke has little thin
    # contrast but much ink, and its bleed beside the square is not its continuation.
    need = max(0.025, 0.35 * line.contrast, 0.35 * axis)
    return min(ends) >= need
