"""A rendered page made to look like a phone photo of the printed protocol (tests and the
benchmark): perspective, blur, glare, uneven light, sensor noise, JPEG at quality 60.

Seeded: the same seed gives the same picture.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image


@dataclass(frozen=True)
class PhotoEffects:
    perspective: float  # the corners move by up to this share of the page's size
    blur_sigma_mm: float
    glare: float  # peak brightening of the glare spot (0..255)
    glare_radius: float  # share of the page width
    light_gradient: float  # darkening from one side to the other (0..1)
    noise: float  # sensor noise, grey levels
    rotation_deg: float
    jpeg_quality: int = 60

    @staticmethod
    def draw(rng: random.Random) -> PhotoEffects:
        return PhotoEffects(
            perspective=rng.uniform(0.01, 0.06),
            blur_sigma_mm=rng.uniform(0.05, 0.2),
            glare=rng.uniform(40, 110),
            glare_radius=rng.uniform(0.08, 0.25),
            light_gradient=rng.uniform(0.0, 0.35),
            noise=rng.uniform(2, 7),
            rotation_deg=rng.uniform(-8, 8),
        )


def harsher(e: PhotoEffects, k: float) -> PhotoEffects:
    """The same photo `k` times worse: perspective, rotation, blur, glare, light and noise."""
    return PhotoEffects(
        perspective=e.perspective * k,
        blur_sigma_mm=e.blur_sigma_mm * k,
        glare=min(250.0, e.glare * k),
        glare_radius=e.glare_radius,
        light_gradient=min(0.8, e.light_gradient * k),
        noise=e.noise * k,
        rotation_deg=e.rotation_deg * k,
        jpeg_quality=e.jpeg_quality,
    )


def degrade(page: Image.Image, dpi: float, effects: PhotoEffects, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    grey = np.asarray(page.convert("L"), dtype=np.float32)
    h, w = grey.shape
    # Perspective (and a little rotation), onto a table-grey background.
    m = effects.perspective
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    jitter = rng.uniform(-m, m, size=(4, 2)) * np.array([w, h], dtype=np.float32)
    pad = int(0.08 * max(w, h))
    dst = (src + jitter + pad).astype(np.float32)
    centre = dst.mean(axis=0)
    a = np.deg2rad(effects.rotation_deg)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], dtype=np.float32)
    dst = ((dst - centre) @ rot.T + centre).astype(np.float32)
    size = (w + 2 * pad, h + 2 * pad)
    matrix = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(grey, matrix, size, flags=cv2.INTER_LINEAR, borderValue=110.0)
    # Blur: focus and hand shake.
    sigma = effects.blur_sigma_mm * dpi / 25.4
    if sigma > 0.2:
        warped = cv2.GaussianBlur(warped, (0, 0), sigma)
    hh, ww = warped.shape
    yy, xx = np.mgrid[0:hh, 0:ww].astype(np.float32)
    # Uneven light: darker towards one side; the paper's white drops.
    direction = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(direction) * xx / ww + np.sin(direction) * yy / hh + 1) / 2
    warped = warped * (1 - effects.light_gradient * ramp) + 10
    # Glare: a bright spot that washes the dark modules out towards white.
    gx, gy = rng.uniform(0.2, 0.8) * ww, rng.uniform(0.2, 0.8) * hh
    r = effects.glare_radius * ww
    spot = np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * r * r))
    warped = warped + effects.glare * spot
    warped = warped + rng.normal(0, effects.noise, warped.shape).astype(np.float32)
    out = Image.fromarray(np.clip(warped, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    out.save(buf, format="JPEG", quality=effects.jpeg_quality)
    buf.seek(0)
    with Image.open(buf) as im:
        return im.convert("L")
