"""A voter's pencil fill that stops short of marks8's corner boxes (issue 10, fill51:
session 51). Asked by `marks8.filled` where its own square-not-round test said no; with
marks8, a square it says yes to is settled `marked`, under settle7's contest guard (the
contest's one vote, nothing else in doubt) and the reader's vetoes, as marks8's fills are.

Why. The dev caches' census (seeds 198-203, 6,300 sheets; `benchmarks/results/pass51/`) found
real pencil fills among the squares sent to review beyond the truth: even grey boxes 0.2-0.36
dark, plain to anyone at the table. The closer look's `is_fill` refuses them for want of a
pencil's grain (on a noisy scan the margin's grain is the scanner's); marks8, asked next,
found them dark, even and quiet round, but its corner boxes (2.0-2.5 mm from the middle on
both axes, in image axes) half paper: the generator's fills cover 0.75-1.05 of the square,
their corners jittered, and a fill that stops 0.3 mm inside the border leaves those boxes.

The rule (`is_square_fill`). The printed square is fitted first (`_printed_square`: a line
through each side's border pixels; its centre and its turn, so a scan's skew and the
registration's tenths of a millimetre do not move the border over the narrow bands below).
Against the brightest side's paper further out (each side's wedge FAR_MM from the centre):
- the inside is dark and even: each quarter (its median darkness) at least LEVEL (above the
  corpus's show-through, 5-15 % of the light), the lightest at least EVEN of the darkest;
- it reaches the corners: each corner box of the inside (CORNER_MM on both axes) at least
  CORNER of the inside's median (a smaller smudge's edge curves away);
- it stops at the printed border: in the band just outside it (OUT_MM, clear of its blur),
  along the stretch facing the inside, the darkest of the darkness averaged over
  OUT_BLUR_MM at most OUT_SHARE of the inside's median (a stain, a drop, a fold's shadow,
  an eraser's smear run on across the border; so does a line crossing the band);
- it is square, not round (`is_round`): a drop 6-7 mm across centred on the square covers
  the inside as a fill does, but between the inside and the border (ZONE_MM) and just
  outside the border (POKE_MM) it is dark at each side's middle and light at its ends; a
  fill stops the same distance from the centre all along a side.

Where it stops. A fill under a fold, a crease or a stain's edge that crosses the band
outside, one overshooting the border, one beside another doubt, and a fill blurred so that
its corners round off (the smooth test fill at the worst scan) stay in review. Measured:
docs/reading.md, forty-eighth pass.
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.ballots.layout import TARGET
from kiosk.reading import crop

ENABLED = (
    False  # OFF (session 51): an outside attack had 13 of 960 non-marks read as votes; tests switch it on
)

INSIDE_MM = crop.INSIDE_MM  # the inside, as `inspect` has it (one place: crop)
OUT_MM = (TARGET / 2 + 0.45, TARGET / 2 + 1.3)  # the band just outside the printed border (fill50's)
FAR_MM = (TARGET / 2 + 1.3, TARGET / 2 + 2.8)  # the paper: the brightest side's median here (fill50's)
LEVEL = 0.16  # each quarter of the inside at least this dark (median) ...
EVEN = 0.7  # ... the lightest at least this share of the darkest
CORNER_MM = 1.0  # the inside's corner boxes: this far in on both axes ...
CORNER = 0.7  # ... each at least this share of the inside's median darkness
FACING_MM = INSIDE_MM + 0.5  # each side of that band: its stretch facing the inside (along the side)
OUT_BLUR_MM = 0.4  # ... its darkness averaged over a box this wide (scanner grain), its darkest ...
OUT_SHARE = 0.3  # ... at most this share of the inside's median
BORDER_DARK = 0.5  # the printed border's pixels: at least this dark (a fill: under 0.45) ...
BORDER_BAND_MM = (TARGET / 2 - 0.7, TARGET / 2 + 0.4)  # ... this far from the given centre ...
BORDER_ALONG_MM = 2.0  # ... within this of its side's middle (the corners left out)
# round, not square (a drop 6-7 mm across centred on the square fills the inside as a fill
# does): compared along each side, the same distance from the centre, its middle against
# its ends, in two bands: between the inside and the printed border, and just outside it
ZONE_MM = (INSIDE_MM + 0.1, INSIDE_MM + 0.3)  # between the inside and the border's inner edge
POKE_MM = (TARGET / 2 + 0.25, TARGET / 2 + 0.7)  # just outside the printed border (marks8's CLEAR_MM)
MID_MM = 1.0  # a side's middle: this far from it along the side
ZONE_ENDS_MM = (1.8, INSIDE_MM)  # the zone's ends (clear of the other sides' border)
POKE_ENDS_MM = (2.0, 3.2)  # the outer band's ends (marks8's END_MM)
DARK_MID = 0.5  # a side's middle this share of the inside's median or more ...
ROUND = 0.7  # ... and its ends under this share of its middle: round, on ROUND_SIDES sides
ROUND_SIDES = 2


def measures(image: np.ndarray, centre: tuple[float, float], scale: float) -> dict[str, list[float]]:
    """Round one square, against the brightest side's paper: `quarters`, the median darkness
    of each quadrant of the inside; `corners`, of each corner box; `outside`, each side's
    (left, right, top, bottom) darkest darkness, averaged over OUT_BLUR_MM, in the band
    outside the border along the stretch facing the inside;
    `inside`, the inside's median; `paper`, the level. Empty lists where the crop holds
    no inside or a side (a square at the image's edge)."""
    p, gx, gy = crop.in_mm(image, centre, scale, FAR_MM[1])
    empty: dict[str, list[float]] = {
        "quarters": [],
        "corners": [],
        "outside": [],
        "inside": [],
        "paper": [],
        "zone": [],
        "poke": [],
    }
    # the printed square itself, fitted (its centre and its turn: a scan's skew and the
    # registration's fraction of a millimetre move the border over the narrow zones below)
    g_box = np.maximum(np.abs(gx), np.abs(gy))
    g_wedges = crop.sides(gx, gy)
    g_far = (g_box >= FAR_MM[0]) & (g_box <= FAR_MM[1])
    if not all((g_far & w).any() for w in g_wedges):
        return empty
    paper = max(1.0, max(float(np.median(p[g_far & w])) for w in g_wedges))
    dark = (paper - p) / paper
    fit = _printed_square(dark, gx, gy, scale)
    if fit is None:
        return empty
    dx, dy, turn = fit
    cos, sin = float(np.cos(turn)), float(np.sin(turn))
    xs = (gx - dx) * cos + (gy - dy) * sin
    ys = -(gx - dx) * sin + (gy - dy) * cos
    ax, ay = np.abs(xs), np.abs(ys)
    box = np.maximum(ax, ay)
    wedges = crop.sides(xs, ys)
    band = (box >= OUT_MM[0] + OUT_BLUR_MM / 2) & (box <= OUT_MM[1])  # each box clear of the border's blur
    facing = (
        band & (xs < 0) & (ay <= FACING_MM),
        band & (xs > 0) & (ay <= FACING_MM),
        band & (ys < 0) & (ax <= FACING_MM),
        band & (ys > 0) & (ax <= FACING_MM),
    )
    inside = box <= INSIDE_MM
    if not inside.any() or not all(f.any() for f in facing):
        return empty
    b = max(1, round(OUT_BLUR_MM * scale))
    smooth = cv2.blur(dark, (b, b))
    c = INSIDE_MM - CORNER_MM
    regions = [
        (inside & (xs < 0) & (ys < 0), inside & (xs < -c) & (ys < -c)),
        (inside & (xs >= 0) & (ys < 0), inside & (xs > c) & (ys < -c)),
        (inside & (xs < 0) & (ys >= 0), inside & (xs < -c) & (ys > c)),
        (inside & (xs >= 0) & (ys >= 0), inside & (xs > c) & (ys > c)),
    ]
    if not all(q.any() and k.any() for q, k in regions):
        return empty
    # each side's middle and ends (along it), in the zone inside the border and just outside it
    along = np.where(ax >= ay, ay, ax)
    zone = (box >= ZONE_MM[0]) & (box <= ZONE_MM[1])
    poke = (box >= POKE_MM[0]) & (box <= POKE_MM[1])
    mid = along <= MID_MM
    zone_ends = (along >= ZONE_ENDS_MM[0]) & (along <= ZONE_ENDS_MM[1])
    poke_ends = (along >= POKE_ENDS_MM[0]) & (along <= POKE_ENDS_MM[1])
    sides = [w & (box >= ZONE_MM[0]) for w in wedges]
    return {
        "quarters": [float(np.median(dark[q])) for q, _ in regions],
        "corners": [float(np.median(dark[k])) for _, k in regions],
        "outside": [float(smooth[f].max()) for f in facing],
        "inside": [float(np.median(dark[inside]))],
        "paper": [paper],
        "zone": [float(np.median(dark[w & zone & m])) for w in sides for m in (mid, zone_ends)],
        "poke": [float(np.median(dark[w & poke & m])) for w in sides for m in (mid, poke_ends)],
    }


def _printed_square(
    dark: np.ndarray, gx: np.ndarray, gy: np.ndarray, scale: float
) -> tuple[float, float, float] | None:
    """(dx, dy, turn): the printed border's centre against the given one (mm) and its turn
    (radians), from a straight line fitted through each side's border pixels (darkness at
    least BORDER_DARK, BORDER_BAND_MM from the given centre, within BORDER_ALONG_MM of the
    side's middle). None where a side has too few of them (a square at the image's edge)."""
    ax, ay = np.abs(gx), np.abs(gy)
    box = np.maximum(ax, ay)
    near = (dark >= BORDER_DARK) & (box >= BORDER_BAND_MM[0]) & (box <= BORDER_BAND_MM[1])
    fits = []
    need = BORDER_ALONG_MM * scale  # pixels along a side: at least one a pixel row
    for vertical, sign in ((True, -1.0), (True, 1.0), (False, -1.0), (False, 1.0)):
        if vertical:
            sel = near & (sign * gx > 0) & (ay <= BORDER_ALONG_MM)
            across, along = np.broadcast_to(gx, sel.shape)[sel], np.broadcast_to(gy, sel.shape)[sel]
        else:
            sel = near & (sign * gy > 0) & (ax <= BORDER_ALONG_MM)
            across, along = np.broadcast_to(gy, sel.shape)[sel], np.broadcast_to(gx, sel.shape)[sel]
        if across.size < need or float(np.ptp(along)) < BORDER_ALONG_MM:
            return None
        slope, at = np.polyfit(along, across, 1)
        fits.append((float(at), float(slope)))
    (left, sl), (right, sr), (top, st), (bottom, sb) = fits
    # a turn by t: the horizontal sides' slope is tan t, the vertical sides' -tan t
    turn = float(np.mean([np.arctan(st), np.arctan(sb), -np.arctan(sl), -np.arctan(sr)]))
    return (left + right) / 2, (top + bottom) / 2, turn


def is_square_fill(m: dict[str, list[float]]) -> bool:
    """`measures` say an even fill that is the square's shape (the module's rule)."""
    q, k, o = m["quarters"], m["corners"], m["outside"]
    if not q or not k or not o:
        return False
    middle = m["inside"][0]
    return (
        min(q) >= LEVEL
        and min(q) >= EVEN * max(q)
        and min(k) >= CORNER * middle
        and max(o) <= OUT_SHARE * middle
        and not is_round(m["zone"], middle)
        and not is_round(m["poke"], middle)
    )


def is_round(pairs: list[float], middle: float) -> bool:
    """(middle, ends) of each side: dark at the middle, its ends under ROUND of that, on
    ROUND_SIDES sides or more (a disc's edge; a fill stops the same distance from the centre
    all along a side, and a hand's jitter pulls in one corner, not the square's four)."""
    sides = list(zip(pairs[0::2], pairs[1::2], strict=True))
    return sum(m >= DARK_MID * middle and e < ROUND * m for m, e in sides) >= ROUND_SIDES


def square_fill(image: np.ndarray, centre: tuple[float, float], scale: float) -> bool:
    """The hook in `marks8.filled`, asked where marks8's `square_not_round` said no: a fill
    the printed square's shape (`is_square_fill`)."""
    return ENABLED and is_square_fill(measures(image, centre, scale))
