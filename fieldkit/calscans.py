"""Generated scans of the calibration sheet with known distortions (test equipment, issue 16).

The sheet is rendered once at 600 dpi (the "paper") and then "scanned": resampled to the
delivered resolution on each axis (`scale_x`, `scale_y` times the nominal dpi: a stretched
feed is `scale_y` > 1), turned by `skew_deg`, placed `offset_mm` from the image's top-left
corner on the scanner's backing, optionally blurred to a lower delivered resolution, its
levels mapped to `white`/`black`, darkened towards the edges (`falloff`: the share lost at the
page's edges against its centre), a streak drawn down one image column, dust, noise, JPEG.
`Distortion.truth()` says what the measurement must find.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image

from kiosk.calibration import sheet

PAPER_DPI = 600


@dataclass(frozen=True)
class Distortion:
    dpi: int = 200  # nominal
    scale_x: float = 1.0
    scale_y: float = 1.0
    skew_deg: float = 0.0
    offset_mm: tuple[float, float] = (3.0, 3.0)  # the page's top-left corner in the image
    margin_mm: float = 6.0  # image beyond the page's far edges
    backing: int = 235  # the scanner's lid or backing where there is no paper
    white: float = 250.0
    black: float = 12.0
    falloff: float = 0.0  # share of light lost at the page's left and right edges (quadratic)
    streak_mm: float | None = None  # centre, from the image's left edge
    streak_levels: float = -40.0  # < 0 dark, > 0 light
    streak_width_mm: float = 0.4
    dust: tuple[tuple[float, float], ...] = ()  # specks (x_mm, y_mm) in image mm
    dust_mm: float = 0.6
    delivered_dpi: int | None = None  # optical resolution (None: the nominal)
    noise: float = 1.5
    jpeg: int | None = None  # quality
    rotate_180: bool = False  # fed bottom first
    seed: int = 1
    extra: dict[str, float] = field(default_factory=dict, compare=False)

    def truth(self) -> dict[str, float]:
        return {
            "scale_x": self.scale_x,
            "scale_y": self.scale_y,
            "skew_deg": self.skew_deg,
            "offset_x_mm": self.offset_mm[0],
            "offset_y_mm": self.offset_mm[1],
            "white": self.white,
            "black": self.black,
            "falloff": self.falloff,
            "dpi_x": self.dpi * self.scale_x,
            "dpi_y": self.dpi * self.scale_y,
        }


@lru_cache(maxsize=2)
def paper(side: str = "A") -> np.ndarray:
    """The printed sheet at PAPER_DPI, grey, 0 = ink, 255 = paper."""
    return sheet.render_grey(side, PAPER_DPI)


def scan(d: Distortion, side: str = "A") -> np.ndarray:
    """The grey image a scanner with distortion `d` delivers of the sheet's `side`."""
    src = paper(side).astype(np.float32)
    px_x = d.dpi / 25.4 * d.scale_x  # delivered px per page mm
    px_y = d.dpi / 25.4 * d.scale_y
    # Resample the paper to the delivered scale by area (the sensor integrates), then place it.
    small = cv2.resize(
        src,
        (round(sheet.WIDTH_MM * px_x), round(sheet.HEIGHT_MM * px_y)),
        interpolation=cv2.INTER_AREA,
    )
    fx, fy = small.shape[1] / sheet.WIDTH_MM, small.shape[0] / sheet.HEIGHT_MM
    if d.delivered_dpi is not None and d.delivered_dpi < d.dpi:
        k = d.delivered_dpi / d.dpi
        low = cv2.resize(
            small,
            (max(1, round(small.shape[1] * k)), max(1, round(small.shape[0] * k))),
            interpolation=cv2.INTER_AREA,
        )
        small = cv2.resize(low, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_LINEAR)
    ink = 255.0 - small  # 0 outside the paper after warping
    mask = np.ones_like(small)
    nominal = d.dpi / 25.4
    w = round((d.offset_mm[0] + sheet.WIDTH_MM * d.scale_x + d.margin_mm) * nominal)
    h = round((d.offset_mm[1] + sheet.HEIGHT_MM * d.scale_y + d.margin_mm) * nominal)
    # small px (u, v) -> page mm (u / fx, v / fy) -> image: rotate about the page's top-left by
    # skew, then translate by the offset. Pixel centres: u + 0.5 covers [u, u + 1).
    a = math.radians(d.skew_deg)
    ca, sa = math.cos(a), math.sin(a)
    sxm, sym = px_x / fx, px_y / fy  # ~1: small px -> delivered px
    ox, oy = d.offset_mm[0] * nominal, d.offset_mm[1] * nominal
    m = np.array(
        [
            [ca * sxm, -sa * sym, ox + 0.5 * (ca * sxm - sa * sym) - 0.5],
            [sa * sxm, ca * sym, oy + 0.5 * (sa * sxm + ca * sym) - 0.5],
        ]
    )
    ink_img = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
    on_paper = cv2.warpAffine(mask, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
    value = 255.0 - ink_img
    # The scanner's levels: paper -> white, ink -> black; its backing where there is no paper.
    img = d.black + (d.white - d.black) * value / 255.0
    img = on_paper * img + (1 - on_paper) * d.backing
    if d.falloff:
        xs = np.arange(w, dtype=np.float32)
        centre = ox + sheet.WIDTH_MM * px_x / 2
        half = sheet.WIDTH_MM * px_x / 2
        gain = 1.0 - d.falloff * ((xs - centre) / half) ** 2
        img = img * np.maximum(gain, 0.0)[None, :]
    rng = np.random.default_rng(d.seed)
    if d.streak_mm is not None:
        c = d.streak_mm * nominal
        half_w = max(0.5, d.streak_width_mm * nominal / 2)
        cols = np.arange(w)
        weight = np.clip(half_w + 0.5 - np.abs(cols + 0.5 - c), 0, 1)
        img = img + d.streak_levels * weight[None, :]
    for x_mm, y_mm in d.dust:
        cv2.circle(
            img,
            (round(x_mm * nominal), round(y_mm * nominal)),
            max(1, round(d.dust_mm * nominal / 2)),
            60.0,
            -1,
        )
    if d.noise:
        img = img + d.noise * rng.standard_normal(img.shape, dtype=np.float32)
    out = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    if d.rotate_180:
        out = np.ascontiguousarray(out[::-1, ::-1])
    return out


def encode(image: np.ndarray, d: Distortion) -> bytes:
    """The scan as a file the drivers deliver: JPEG at `d.jpeg` quality, else PNG; with its dpi."""
    buf = io.BytesIO()
    pil = Image.fromarray(image)
    if d.jpeg is not None:
        pil.save(buf, "JPEG", quality=d.jpeg, dpi=(d.dpi, d.dpi))
    else:
        pil.save(buf, "PNG", dpi=(d.dpi, d.dpi), compress_level=1)
    return buf.getvalue()


def scan_bytes(d: Distortion, side: str = "A") -> bytes:
    return encode(scan(d, side), d)
