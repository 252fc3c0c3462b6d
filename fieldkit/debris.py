"""Debris on the sheet or the scanner's glass: hairs, fibres, dust specks, a hair with a
dust clump on it (issue 10, session 62: the `debris` stress condition).

Why. A scanner's glass and a ballot box are not clean: a hair or an eyelash, a thread from
a sleeve, paper lint and dust lie on the sheet as it is scanned. The deck's own dust is a
few specks 0.05-0.15 mm anywhere on the scan; the reader's hair tests (fix8, clump60) were
built on a red team's drawings (tests/test_redteam60.py, tests/test_clump61.py), and their
known holes (two touching specks, a thick hair with a clump, the worst scan) had no corpus.
This one gives them one. It is a stress condition: never drawn into the corpus's mix (the
corpus and its untouched runs are byte for byte as before, tests/test_corpus_digest.py),
asked with `--always debris` or `--only debris`.

What is drawn (sizes from what the things measure: a human hair is 0.05-0.12 mm thick,
a coarse or doubled one to 0.2; lint and thread fibres 0.01-0.1 mm; dust specks 0.05-0.4
mm; a dust clump 0.5-1.6 mm), one to three items a sheet, each laid across a square chosen
at random (debris anywhere on the page seldom meets a square; these are the cases that
matter), empty or marked:

- `hair`: 8-40 mm, 0.05-0.2 mm thick, 35-85 % dark, a gentle bend;
- `fibre`: 2-8 mm, 0.02-0.1 mm, 20-60 % dark, curled;
- `specks`: one to five dust specks 0.08-0.4 mm across within 1.5 mm, 45-90 % dark, some
  touching;
- `hair_clump`: a hair with a dust clump on it (two to four discs together, 0.5-1.6 mm
  across, 60-95 % dark) inside or near the square.

Each is drawn at four times the scan's resolution with anti-aliased lines and shrunk by
area, so a hair thinner than a pixel is a faint line, as a scanner sees it; the scanner
model (blur, noise, JPEG) then runs over it as over the print. The truth does not change:
debris is no one's mark. Its own random stream (seed, index, DEBRIS_STREAM), so the rest of
the sheet is the sheet it would have been.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

DEBRIS_STREAM = 0xDEB  # the third word of the debris's own random stream
KINDS = ("hair", "fibre", "specks", "hair_clump")
KIND_P = (0.35, 0.25, 0.25, 0.15)
TOUCH = 0.05  # a square's window is touched where the debris darkens a pixel of it this much
SUPER = 4  # drawn at this many times the scan's resolution, then shrunk by area

Windows = list[tuple[float, float, float, float]]


def _bezier(p0: np.ndarray, p1: np.ndarray, p2: np.ndarray, p3: np.ndarray | None, n: int) -> np.ndarray:
    t = np.linspace(0.0, 1.0, n)[:, None]
    if p3 is None:
        return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2  # type: ignore[no-any-return]
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3  # type: ignore[no-any-return]


def _hair_path(
    rng: np.random.Generator, at: np.ndarray, s: float, length_mm: tuple[float, float]
) -> np.ndarray:
    """A gently bent line through `at` (page px), `at` somewhere along it."""
    length = float(rng.uniform(*length_mm)) * s
    theta = float(rng.uniform(0, math.pi))
    d = np.array([math.cos(theta), math.sin(theta)])
    u = float(rng.uniform(0.2, 0.8))
    p0 = at - u * length * d
    p2 = at + (1 - u) * length * d
    bend = float(rng.uniform(-0.15, 0.15)) * length
    p1 = (p0 + p2) / 2 + bend * np.array([-d[1], d[0]])
    return _bezier(p0, p1, p2, None, 64)


def _fibre_path(rng: np.random.Generator, at: np.ndarray, s: float) -> np.ndarray:
    """A short curled thread near `at`."""
    reach = float(rng.uniform(2, 8)) * s
    pts = [at + rng.uniform(-0.5, 0.5, 2) * reach for _ in range(4)]
    return _bezier(pts[0], pts[1], pts[2], pts[3], 48)


def _draw(
    page: np.ndarray,
    paths: list[tuple[np.ndarray, float]],
    discs: list[tuple[np.ndarray, float]],
    dark: float,
) -> tuple[int, int, np.ndarray] | None:
    """Lines (`paths`: page px points, thickness px) and filled discs (centre, radius px)
    darkened into `page` by `dark` at full cover; returns where it drew (x0, y0 and each
    pixel's cover, 0-1, page px)."""
    pts = [p for path, _w in paths for p in path] + [c for c, _r in discs]
    if not pts:
        return None
    grow = max([w for _p, w in paths] + [r for _c, r in discs] + [1.0]) + 3
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    h, w = page.shape
    x0 = max(0, int(min(xs) - grow))
    y0 = max(0, int(min(ys) - grow))
    x1 = min(w, int(max(xs) + grow) + 1)
    y1 = min(h, int(max(ys) + grow) + 1)
    if x1 <= x0 or y1 <= y0:
        return None
    big = np.zeros(((y1 - y0) * SUPER, (x1 - x0) * SUPER), np.uint8)
    origin = np.array([x0, y0], np.float64)
    shift = 4  # cv2's fixed point: coordinates in 1/16 of a (supersampled) pixel
    for path, width in paths:
        q = np.rint((path - origin) * SUPER * (1 << shift)).astype(np.int32)
        cv2.polylines(big, [q], False, 255, max(1, round(width * SUPER)), cv2.LINE_AA, shift)
    for centre, radius in discs:
        c = np.rint((centre - origin) * SUPER * (1 << shift)).astype(np.int32)
        cv2.circle(
            big,
            (int(c[0]), int(c[1])),
            max(1, round(radius * SUPER * (1 << shift))),
            255,
            -1,
            cv2.LINE_AA,
            shift,
        )
    cover = cv2.resize(big, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    region = page[y0:y1, x0:x1].astype(np.float32)
    page[y0:y1, x0:x1] = np.clip(region * (1.0 - dark * cover) + 0.5, 0, 255).astype(np.uint8)
    return x0, y0, cover


def apply_debris(
    page: np.ndarray,
    rng: np.random.Generator,
    s: float,
    windows: Windows,
    effects: dict[str, float | int | str | bool],
    square_conditions: list[list[str]],
) -> None:
    """One to three items of debris, each across a square chosen at random, drawn into the
    grey `page` (page px, `s` px per mm); every square whose window the debris covers
    somewhere by TOUCH or more gets `debris` in `square_conditions`."""
    kinds = []
    for _ in range(int(rng.integers(1, 4))):
        kind = str(rng.choice(KINDS, p=KIND_P))
        kinds.append(kind)
        wx0, wy0, wx1, wy1 = windows[int(rng.integers(0, len(windows)))]
        centre = np.array([(wx0 + wx1) / 2, (wy0 + wy1) / 2])
        at = centre + rng.uniform(-2.5, 2.5, 2) * s
        paths: list[tuple[np.ndarray, float]] = []
        discs: list[tuple[np.ndarray, float]] = []
        if kind == "hair":
            paths.append((_hair_path(rng, at, s, (8, 40)), float(rng.uniform(0.05, 0.2)) * s))
            dark = float(rng.uniform(0.35, 0.85))
        elif kind == "fibre":
            paths.append((_fibre_path(rng, at, s), float(rng.uniform(0.02, 0.1)) * s))
            dark = float(rng.uniform(0.2, 0.6))
        elif kind == "specks":
            c = at
            for _ in range(int(rng.integers(1, 6))):
                r = float(rng.uniform(0.04, 0.2)) * s
                if discs and rng.random() < 0.4:  # touching the one before
                    pc, pr = discs[-1]
                    a = float(rng.uniform(0, 2 * math.pi))
                    c = pc + (pr + r) * 0.9 * np.array([math.cos(a), math.sin(a)])
                else:
                    c = at + rng.uniform(-0.75, 0.75, 2) * s
                discs.append((c, r))
            dark = float(rng.uniform(0.45, 0.9))
        else:  # hair_clump
            path = _hair_path(rng, at, s, (8, 40))
            paths.append((path, float(rng.uniform(0.05, 0.2)) * s))
            on = path[int(rng.integers(16, 48))]
            size = float(rng.uniform(0.5, 1.6)) * s
            for _ in range(int(rng.integers(2, 5))):
                discs.append((on + rng.uniform(-0.25, 0.25, 2) * size, float(rng.uniform(0.25, 0.5)) * size))
            dark = float(rng.uniform(0.6, 0.95))
        drawn = _draw(page, paths, discs, dark)
        if drawn is None:
            continue
        bx0, by0, cover = drawn
        ch, cw = cover.shape
        for i, (x0, y0, x1, y1) in enumerate(windows):
            cx0, cy0 = max(0, int(x0) - bx0), max(0, int(y0) - by0)
            cx1, cy1 = min(cw, math.ceil(x1) - bx0), min(ch, math.ceil(y1) - by0)
            if cx1 <= cx0 or cy1 <= cy0 or "debris" in square_conditions[i]:
                continue
            if float(cover[cy0:cy1, cx0:cx1].max()) * dark >= TOUCH:
                square_conditions[i].append("debris")
    effects["debris"] = ",".join(kinds)
