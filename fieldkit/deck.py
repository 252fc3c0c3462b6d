"""Marked test decks: scanned-looking ballot images with exact ground truth.

The generator marks a perfect render of the ballot the way voters do (ticks, crosses,
fills, light pencil, hesitation dots, strays, erasures), then passes the page through
a model of a scanner (rotation, scale, perspective, blur, noise, brightness, JPEG,
180-degree feed, dust, streaks). Each sheet is generated from (seed, index) alone, so
a deck is deterministic and can be produced in parallel.

Ground truth is what the voter meant and what the rules make of it, never what a
reader returned: `expected` per square is `marked`, `marginal` (ambiguous on purpose:
the reader must send it to the commission) or `empty`.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from fieldkit.fastops import add_noise
from kiosk.ballots.layout import BallotLayout, Box, Side, build_layout
from kiosk.ballots.render import render_side_grey
from kiosk.election.model import Election

MarkKind = Literal[
    "tick", "cross", "plus", "filled", "circle", "scribble", "light_pencil", "hesitation_dot", "erased"
]
VOTING_MARKS: tuple[MarkKind, ...] = ("tick", "cross", "plus", "filled", "circle", "scribble", "light_pencil")
Expected = Literal["marked", "marginal", "empty"]
EXPECTED_OF: dict[str, Expected] = {
    **{k: "marked" for k in VOTING_MARKS},
    "hesitation_dot": "marginal",
    "erased": "empty",
    "none": "empty",
}
Pattern = Literal["one", "blank", "overvote", "against_all"]
Outcome = Literal["vote", "blank", "overvote", "review"]


@dataclass(frozen=True)
class DeckOptions:
    """Which effects a deck uses. `clean()` is a perfect scanner, for unit tests."""

    dpis: tuple[int, ...] = (150, 200, 200, 300)
    rotation_deg: float = 3.0
    offset_mm: float = 3.0
    scale: float = 0.02
    perspective: float = 0.002
    blur: bool = True
    noise: bool = True
    jpeg: bool = True
    brightness: bool = True
    flip_180: float = 0.25  # share of sheets fed upside down
    title_side_up: float = 0.5  # share of sheets whose first image is the title side
    dust: bool = True
    streak: float = 0.02
    hesitation: float = 0.04  # share of contests with a hesitation dot (its truth: review)
    stray: float = 0.1
    erased: float = 0.05  # share of contests with an erased mark (its truth: empty)
    edge_ticks: float = 0.05  # share of ticks offset so they only catch a corner of the square

    @staticmethod
    def clean() -> DeckOptions:
        return DeckOptions(
            dpis=(200,),
            rotation_deg=0.0,
            offset_mm=0.0,
            scale=0.0,
            perspective=0.0,
            blur=False,
            noise=False,
            jpeg=False,
            brightness=False,
            flip_180=0.0,
            title_side_up=0.0,
            dust=False,
            streak=0.0,
            hesitation=0.0,
            stray=0.0,
            erased=0.0,
            edge_ticks=0.0,
        )


@dataclass
class SquareTruth:
    contest: str
    option: str
    kind: str  # a MarkKind or "none"
    expected: Expected


@dataclass
class ContestTruth:
    contest: str
    outcome: Outcome
    choice: str | None


@dataclass
class SheetTruth:
    sheet: str
    style: str
    dpi: int
    test: bool
    first_side: Side  # which side the scanner saw first (image "a")
    flipped: bool
    status: Literal["ok", "review", "rejected"]
    reason: str | None
    squares: list[SquareTruth]
    contests: list[ContestTruth]
    effects: dict[str, float | int | str | bool] = field(default_factory=dict)


@dataclass
class GeneratedSheet:
    truth: SheetTruth
    front: np.ndarray | None  # grey uint8 images before encoding (front only when asked for)
    back: np.ndarray
    encoding: Literal["jpg", "png"]
    front_bytes: bytes
    back_bytes: bytes


def contest_outcome(expected: list[Expected], option_ids: list[str]) -> tuple[Outcome, str | None]:
    """The rules applied to what the voter meant (a plain restatement, for ground truth)."""
    marked = [o for o, e in zip(option_ids, expected, strict=True) if e == "marked"]
    marginal = [o for o, e in zip(option_ids, expected, strict=True) if e == "marginal"]
    if len(marked) >= 2:
        return ("overvote", None)
    if marginal:
        return ("review", None)
    if len(marked) == 1:
        return ("vote", marked[0])
    return ("blank", None)


# --- cached blank renders ------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _blank(layout: BallotLayout, side: Side, dpi: int) -> np.ndarray:
    img = render_side_grey(layout, side, dpi)
    img.setflags(write=False)
    return img


# --- marks -----------------------------------------------------------------------------------------


def _pen(rng: np.random.Generator, kind: MarkKind, s: float) -> tuple[int, int]:
    """(grey level, thickness px) of the pen for a mark kind at s px/mm."""
    if kind == "light_pencil":
        return int(rng.integers(120, 150)), max(1, round(rng.uniform(0.5, 0.7) * s))
    if kind == "erased":
        return int(rng.integers(247, 251)), max(1, round(rng.uniform(0.4, 0.6) * s))
    return int(rng.integers(10, 70)), max(1, round(rng.uniform(0.35, 0.8) * s))


def _draw_mark(
    layer: np.ndarray,
    box_px: tuple[float, float, float],
    kind: MarkKind,
    rng: np.random.Generator,
    s: float,
    edge_tick: bool,
) -> None:
    """Draw one mark into `layer` (white canvas) for the square at (x, y, size) px."""
    x, y, size = box_px
    grey, thick = _pen(rng, kind, s)
    shift = 4
    f = 1 << shift

    def pts(
        rel: list[tuple[float, float]],
        jitter: float = 0.08,
        dx: float = 0.0,
        dy: float = 0.0,
        scale: float = 1.0,
    ) -> np.ndarray:
        out = []
        for u, v in rel:
            u = 0.5 + (u - 0.5) * scale + rng.uniform(-jitter, jitter) + dx
            v = 0.5 + (v - 0.5) * scale + rng.uniform(-jitter, jitter) + dy
            out.append(((x + u * size) * f, (y + v * size) * f))
        return np.array(out, dtype=np.int32).reshape(-1, 1, 2)

    def poly(p: np.ndarray) -> None:
        cv2.polylines(layer, [p], False, grey, thick, cv2.LINE_AA, shift)

    if kind in ("tick", "light_pencil") and (kind == "tick" or rng.random() < 0.5):
        scale = rng.uniform(0.8, 1.4)
        dx = dy = 0.0
        if edge_tick:
            # Mostly outside: the stroke crosses only a corner region of the square.
            dx, dy = (
                rng.choice([-1.0, 1.0]) * rng.uniform(0.3, 0.45),
                rng.choice([-1.0, 1.0]) * rng.uniform(0.3, 0.45),
            )
        poly(pts([(0.1, 0.55), (0.4, 0.88), (0.95, 0.05)], dx=dx, dy=dy, scale=scale))
    elif kind in ("cross", "light_pencil", "erased"):
        scale = rng.uniform(0.8, 1.3)
        poly(pts([(0.1, 0.1), (0.9, 0.9)], scale=scale))
        poly(pts([(0.9, 0.1), (0.1, 0.9)], scale=scale))
    elif kind == "plus":
        scale = rng.uniform(0.8, 1.2)
        poly(pts([(0.5, 0.1), (0.5, 0.9)], scale=scale))
        poly(pts([(0.1, 0.5), (0.9, 0.5)], scale=scale))
    elif kind == "filled":
        cover = rng.uniform(0.75, 1.05)
        poly_pts = pts([(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)], jitter=0.06, scale=cover)
        cv2.fillPoly(layer, [poly_pts], grey, cv2.LINE_AA, shift)
    elif kind == "circle":
        r = rng.uniform(0.28, 0.42) * size
        cx = x + size / 2 + rng.uniform(-0.06, 0.06) * size
        cy = y + size / 2 + rng.uniform(-0.06, 0.06) * size
        cv2.ellipse(
            layer,
            (round(cx * f), round(cy * f)),
            (round(r * f), round(r * rng.uniform(0.85, 1.1) * f)),
            float(rng.uniform(0, 180)),
            0,
            360,
            grey,
            thick,
            cv2.LINE_AA,
            shift,
        )
    elif kind == "scribble":
        n = int(rng.integers(5, 10))
        rel = [(float(rng.uniform(0.1, 0.9)), float(rng.uniform(0.1, 0.9))) for _ in range(n)]
        poly(pts(rel, jitter=0.0))
    elif kind == "hesitation_dot":
        d = rng.uniform(0.9, 1.2) * s
        cx = x + size * rng.uniform(0.3, 0.7)
        cy = y + size * rng.uniform(0.3, 0.7)
        cv2.circle(
            layer,
            (round(cx * f), round(cy * f)),
            round(d / 2 * f),
            int(rng.integers(10, 50)),
            -1,
            cv2.LINE_AA,
            shift,
        )
    else:
        raise ValueError(kind)


def _draw_stray(layer: np.ndarray, layout: BallotLayout, rng: np.random.Generator, s: float) -> None:
    """A mark in the names area, at least 4 mm away from every square."""
    row = layout.targets[int(rng.integers(0, len(layout.targets)))].box
    x = rng.uniform(20.0, 105.0) * s
    y = (row.y + rng.uniform(-1.0, row.h + 1.0)) * s
    length = rng.uniform(3.0, 10.0) * s
    angle = rng.uniform(0, math.pi)
    p = np.array([[x, y], [x + length * math.cos(angle), y + length * math.sin(angle)]], dtype=np.int32)
    cv2.polylines(
        layer, [p.reshape(-1, 1, 2)], False, int(rng.integers(10, 80)), max(1, round(0.5 * s)), cv2.LINE_AA
    )


# --- scanner model -----------------------------------------------------------------------------------


def canvas_margins(h: int, w: int, opt: DeckOptions, s: float) -> tuple[int, int]:
    """Scanner image margins around the page: wide enough for the whole turned page plus
    offset and stretch, as a sheet-fed scanner's fixed image width is."""
    turn = abs(math.sin(math.radians(opt.rotation_deg)))
    margin_x = round((6 + opt.offset_mm) * s + turn * h / 2 + opt.scale * w)
    margin_y = round((6 + opt.offset_mm) * s + turn * w / 2 + opt.scale * h)
    return margin_x, margin_y


def _warp(
    page: np.ndarray,
    rng: np.random.Generator,
    opt: DeckOptions,
    s: float,
    effects: dict[str, float | int | str | bool],
) -> tuple[np.ndarray, np.ndarray, int]:
    """Place the page on the scanner canvas: returns (image, page->image matrix, background)."""
    h, w = page.shape
    background = int(rng.choice([240, 250, 40]))
    angle = rng.uniform(-opt.rotation_deg, opt.rotation_deg)
    margin_x, margin_y = canvas_margins(h, w, opt, s)
    out_w, out_h = w + 2 * margin_x, h + 2 * margin_y
    sx = 1 + rng.uniform(-opt.scale, opt.scale)
    sy = 1 + rng.uniform(-opt.scale, opt.scale)
    ox = rng.uniform(-opt.offset_mm, opt.offset_mm) * s
    oy = rng.uniform(-opt.offset_mm, opt.offset_mm) * s
    effects.update(
        rotation_deg=round(angle, 3), scale_x=round(sx, 4), scale_y=round(sy, 4), background=background
    )
    a = math.radians(angle)
    cx, cy = w / 2, h / 2
    rot = np.array(
        [[math.cos(a) * sx, -math.sin(a) * sy, 0.0], [math.sin(a) * sx, math.cos(a) * sy, 0.0], [0, 0, 1]]
    )
    t1 = np.array([[1, 0, -cx], [0, 1, -cy], [0, 0, 1.0]])
    t2 = np.array([[1, 0, out_w / 2 + ox], [0, 1, out_h / 2 + oy], [0, 0, 1.0]])
    persp = np.eye(3)
    if opt.perspective:
        persp[2, 0] = rng.uniform(-opt.perspective, opt.perspective) / w
        persp[2, 1] = rng.uniform(-opt.perspective, opt.perspective) / h
    matrix = t2 @ persp @ rot @ t1
    if not any((angle, sx - 1, sy - 1, ox, oy, opt.perspective)):
        img = np.full((out_h, out_w), background, np.uint8)
        img[margin_y : margin_y + h, margin_x : margin_x + w] = page
    else:
        img = cv2.warpPerspective(
            page,
            matrix,
            (out_w, out_h),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=background,
        )
    return img, matrix, background


def _degrade(
    img: np.ndarray,
    rng: np.random.Generator,
    opt: DeckOptions,
    s: float,
    effects: dict[str, float | int | str | bool],
    streak_col: int | None,
) -> np.ndarray:
    out_h, out_w = img.shape
    if opt.blur:
        sigma = rng.uniform(0.0, 1.0) * s / 8
        if sigma > 0.3:
            img = cv2.GaussianBlur(img, (0, 0), sigma)
        effects["blur_sigma_px"] = round(sigma, 3)
    if opt.brightness:
        gain = rng.uniform(0.8, 1.05)
        bias = rng.uniform(-5, 20)
        img = cv2.convertScaleAbs(img, alpha=gain, beta=bias)
        effects.update(gain=round(gain, 3), bias=round(bias, 2))
    if opt.dust:
        for _ in range(int(rng.integers(0, 6))):
            cv2.circle(
                img,
                (int(rng.integers(0, out_w)), int(rng.integers(0, out_h))),
                max(1, round(rng.uniform(0.05, 0.15) * s)),
                int(rng.integers(40, 120)),
                -1,
                cv2.LINE_AA,
            )
    if streak_col is not None:
        # A dirty sensor pixel: a dark line along the feed direction at a fixed image column.
        width = max(1, round(0.25 * s))
        img[:, streak_col : streak_col + width] = np.minimum(img[:, streak_col : streak_col + width], 60)
        effects["streak_col"] = streak_col
    if opt.noise:
        sigma_n = rng.uniform(0, 5)
        # Half-resolution noise, upsampled: a quarter of the random numbers, and scanner noise
        # is not white anyway.
        small = rng.standard_normal(((out_h + 1) // 2, (out_w + 1) // 2), dtype=np.float32) * sigma_n
        # fastops.add_noise: the resize to full size, add, clip and cast in one pass.
        img = add_noise(img, small)
        effects["noise_sigma"] = round(sigma_n, 2)
    return img


def _encode(img: np.ndarray, opt: DeckOptions, quality: int) -> tuple[bytes, Literal["jpg", "png"]]:
    if opt.jpeg:
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
        assert ok
        return buf.tobytes(), "jpg"
    ok, buf = cv2.imencode(".png", img, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    assert ok
    return buf.tobytes(), "png"


def _target_columns(layout: BallotLayout, matrix: np.ndarray) -> list[tuple[float, float]]:
    """Each square's x-range in image pixels (before a 180-degree flip)."""
    ranges = []
    s = 1.0
    for t in layout.targets:
        b = t.box
        corners = np.array([[[b.x, b.y]], [[b.x + b.w, b.y]], [[b.x + b.w, b.y + b.h]], [[b.x, b.y + b.h]]])
        img_pts = cv2.perspectiveTransform(corners * s, matrix)[:, 0, :]
        ranges.append((float(img_pts[:, 0].min()), float(img_pts[:, 0].max())))
    return ranges


# --- sheets -------------------------------------------------------------------------------------------


def voter_intent(
    rng: np.random.Generator, n: int, hesitation: float, erased: float
) -> tuple[Pattern, list[str]]:
    """What the voter meant on a contest of `n` options (the last is "against all"): the
    pattern and each square's mark kind. Shared by the deck and the field corpus, so both
    draw the same voters from the same seed."""
    pattern: Pattern = rng.choice(["one", "one", "one", "one", "one", "blank", "overvote", "against_all"])
    kinds: list[str] = ["none"] * n
    if pattern == "one":
        kinds[int(rng.integers(0, n - 1))] = str(rng.choice(VOTING_MARKS))
    elif pattern == "against_all":
        kinds[n - 1] = str(rng.choice(VOTING_MARKS))
    elif pattern == "overvote":
        for i in rng.choice(n, size=int(rng.integers(2, min(4, n) + 1)), replace=False):
            kinds[int(i)] = str(rng.choice(VOTING_MARKS))
    empties = [i for i, k in enumerate(kinds) if k == "none"]
    if empties and rng.random() < hesitation:
        kinds[int(rng.choice(empties))] = "hesitation_dot"
        empties = [i for i, k in enumerate(kinds) if k == "none"]
    if empties and rng.random() < erased:
        kinds[int(rng.choice(empties))] = "erased"
    return pattern, kinds


def generate_sheet(
    election: Election,
    election_hash: str,
    style_id: str,
    seed: int,
    index: int,
    opt: DeckOptions = DeckOptions(),
    test: bool = False,
    layout: BallotLayout | None = None,
    with_front: bool = True,
) -> GeneratedSheet:
    rng = np.random.default_rng([seed, index])
    layout = layout or build_layout(election, election_hash, style_id, test)
    contest = election.contest(layout.contest)
    dpi = int(rng.choice(opt.dpis))
    s = dpi / 25.4

    options = [o.id for o in contest.options]
    n = len(options)
    pattern, kinds = voter_intent(rng, n, opt.hesitation, opt.erased)

    page = _blank(layout, "back", dpi).copy()
    layer = np.full_like(page, 255)
    for target, kind in zip(layout.targets, kinds, strict=True):
        if kind == "none":
            continue
        b: Box = target.box
        edge_tick = kind == "tick" and rng.random() < opt.edge_ticks
        _draw_mark(layer, (b.x * s, b.y * s, b.w * s), kind, rng, s, edge_tick)  # type: ignore[arg-type]
    if rng.random() < opt.stray:
        _draw_stray(layer, layout, rng, s)
    np.minimum(page, layer, out=page)
    paper = int(rng.integers(238, 256)) if opt.brightness else 255
    if paper < 255:
        # Off-white paper: scale the page so that white becomes the paper shade.
        page = cv2.convertScaleAbs(page, alpha=paper / 255.0)

    flipped = rng.random() < opt.flip_180
    first_side: Side = "front" if rng.random() < opt.title_side_up else "back"
    quality = int(rng.integers(70, 96))
    effects: dict[str, float | int | str | bool] = {"jpeg_quality": quality if opt.jpeg else 0}
    warped, matrix, _ = _warp(page, rng, opt, s, effects)
    streak_col: int | None = None
    streak_hits = False
    if rng.random() < opt.streak:
        # Page mm -> image px: scale the mm matrix input by s.
        columns = _target_columns(layout, matrix @ np.diag([s, s, 1.0]))
        if rng.random() < 0.5:
            lo, hi = columns[int(rng.integers(0, len(columns)))]
            streak_col, streak_hits = round((lo + hi) / 2), True
        else:
            # Clearly away from every square (5 mm), so the truth is never borderline.
            lo = min(c[0] for c in columns) - 5 * s
            hi = max(c[1] for c in columns) + 5 * s
            streak_col = round(rng.uniform(12 * s, max(13 * s, lo)))
            assert not lo <= streak_col <= hi
    back_img = _degrade(warped, rng, opt, s, effects, streak_col)
    if flipped:
        back_img = cv2.rotate(back_img, cv2.ROTATE_180)
    back_bytes, encoding = _encode(back_img, opt, quality)
    front_img: np.ndarray | None = None
    front_bytes = b""
    if with_front:
        front_warped, _, _ = _warp(_blank(layout, "front", dpi), rng, opt, s, {})
        front_img = _degrade(front_warped, rng, opt, s, {}, streak_col)
        if flipped:
            front_img = cv2.rotate(front_img, cv2.ROTATE_180)
        front_bytes, _ = _encode(front_img, opt, quality)

    expected = [EXPECTED_OF[k] for k in kinds]
    outcome, choice = contest_outcome(expected, options)
    status: Literal["ok", "review", "rejected"] = "review" if outcome == "review" else "ok"
    reason: str | None = None
    if streak_hits:
        status, reason = "rejected", "needs_cleaning"
    truth = SheetTruth(
        sheet=f"{index:06d}",
        style=style_id,
        dpi=dpi,
        test=test,
        first_side=first_side,
        flipped=flipped,
        status=status,
        reason=reason,
        squares=[
            SquareTruth(layout.contest, o, k, e) for o, k, e in zip(options, kinds, expected, strict=True)
        ],
        contests=[ContestTruth(layout.contest, outcome, choice)],
        effects={"pattern": str(pattern), "streak_hits_squares": streak_hits, **effects},
    )
    return GeneratedSheet(truth, front_img, back_img, encoding, front_bytes, back_bytes)


def write_deck(
    election: Election,
    election_hash: str,
    style_id: str,
    n: int,
    seed: int,
    out: Path,
    opt: DeckOptions = DeckOptions(),
    test: bool = False,
) -> list[SheetTruth]:
    """Write n sheets: `<sheet>.a.<ext>` (first side scanned), `<sheet>.b.<ext>`, `<sheet>.json`."""
    out.mkdir(parents=True, exist_ok=True)
    layout = build_layout(election, election_hash, style_id, test)
    truths = []
    for i in range(n):
        sheet = generate_sheet(election, election_hash, style_id, seed, i, opt, test, layout)
        t = sheet.truth
        first, second = (
            (sheet.front_bytes, sheet.back_bytes)
            if t.first_side == "front"
            else (sheet.back_bytes, sheet.front_bytes)
        )
        name = f"{style_id}-{t.sheet}"
        (out / f"{name}.a.{sheet.encoding}").write_bytes(first)
        (out / f"{name}.b.{sheet.encoding}").write_bytes(second)
        record = asdict(t)
        record["images"] = {
            "a": {"file": f"{name}.a.{sheet.encoding}", "side": t.first_side},
            "b": {
                "file": f"{name}.b.{sheet.encoding}",
                "side": "back" if t.first_side == "front" else "front",
            },
        }
        (out / f"{name}.json").write_text(
            json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        truths.append(t)
    return truths
