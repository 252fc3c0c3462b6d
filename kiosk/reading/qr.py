"""Identifying the ballot from its QR code.

Fast path: the kiosk knows every QR its own election can carry (style x side x mode,
a few dozen at most), so it samples the 25 x 25 module grid where the registration says
the code is and compares it with each known code. A match must agree on nearly every
module and be far from every other code, so it is as strict as a decode.

Anything else (another election's ballot, a damaged code, a page the fiducials could
not frame) goes to a real decoder (zbar), first on the expected region, then on the
whole page under a size budget, so that the kiosk can say *why* it refuses the sheet.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.ballots.layout import (
    QR_MODULE,
    QR_MODULES,
    QR_QUIET,
    BallotLayout,
    QrInfo,
    parse_qr_payload,
    qr_matrix,
)
from kiosk.reading import kernels

# A match may disagree on at most this many of the 625 modules (blur, dust, JPEG);
# any two of the election's codes differ in at least MIN_CODE_DISTANCE (checked when the
# book is built: about 58 for the sample), so a match is never closer to a wrong code.
MAX_MODULE_ERRORS = 14
MIN_CODE_DISTANCE = 40


@dataclass(frozen=True)
class KnownCode:
    payload: str
    info: QrInfo
    layout: BallotLayout


class QrBook:
    """Every QR code the election's ballots can carry, as module matrices."""

    def __init__(self, layouts: dict[tuple[str, bool], BallotLayout]) -> None:
        self.codes: list[KnownCode] = []
        mats = []
        for layout in layouts.values():
            for side in (layout.front, layout.back):
                info = parse_qr_payload(side.qr_payload)
                assert info is not None
                self.codes.append(KnownCode(side.qr_payload, info, layout))
                mats.append(np.array(qr_matrix(side.qr_payload), dtype=bool).ravel())
        self.matrices = np.array(mats)
        self.heights = sorted({layout.height_mm for layout in layouts.values()})
        for i in range(len(mats)):
            for j in range(i + 1, len(mats)):
                d = int((self.matrices[i] != self.matrices[j]).sum())
                if d < MIN_CODE_DISTANCE:
                    raise ValueError(
                        f"QR codes {self.codes[i].payload} and {self.codes[j].payload} are too alike"
                    )
        # Module centres relative to the QR box origin, in mm.
        centres = (QR_QUIET + np.arange(QR_MODULES) + 0.5) * QR_MODULE
        mx, my = np.meshgrid(centres, centres)
        self._module_mm = np.stack([mx.ravel(), my.ravel(), np.ones(mx.size)], axis=0)
        # Per page length: which codes a page that long can carry, and their matrices.
        self._by_height: dict[float, tuple[list[int], np.ndarray]] = {}
        for hh in self.heights:
            idx = [i for i, c in enumerate(self.codes) if abs(c.layout.height_mm - hh) < 0.5]
            self._by_height[hh] = (idx, self.matrices[idx])

    def match(
        self, image: np.ndarray, page_to_image: np.ndarray, qr_x: float, qr_y: float, height_mm: float
    ) -> KnownCode | None:
        """The known code printed where the homography says the QR is, if any."""
        return self._match(kernels.qr_nearest, image, page_to_image, qr_x, qr_y, height_mm)

    def _match(
        self,
        nearest_code: Callable[..., tuple[int, int, int]],
        image: np.ndarray,
        page_to_image: np.ndarray,
        qr_x: float,
        qr_y: float,
        height_mm: float,
    ) -> KnownCode | None:
        known = self._by_height.get(height_mm)
        if known is None:
            return None
        candidates, matrices = known
        nearest, best, second = nearest_code(image, page_to_image, self._module_mm, qr_x, qr_y, matrices)
        return self._decide(candidates, nearest, best, second)

    def _decide(self, candidates: list[int], nearest: int, best: int, second: int) -> KnownCode | None:
        # Near enough to one code, and much nearer to it than to any other.
        if nearest < 0 or best > MAX_MODULE_ERRORS:
            return None
        if second - best < MIN_CODE_DISTANCE - 2 * MAX_MODULE_ERRORS:
            return None
        return self.codes[candidates[nearest]]


# --- zbar -----------------------------------------------------------------------------------

try:
    from pyzbar import pyzbar as _pyzbar

    _ZBAR_QR = [_pyzbar.ZBarSymbol.QRCODE]
except (ImportError, OSError, ctypes.ArgumentError):  # libzbar0 missing: the fast path still works
    _pyzbar = None
    _ZBAR_QR = []

# The whole-page fallback never looks at more than this many pixels (a noisy page at
# 300 dpi would otherwise keep zbar busy for a long time).
FULL_PAGE_PIXEL_BUDGET = 1_200_000


def zbar_payloads(image: np.ndarray) -> list[str]:
    if _pyzbar is None or image.size == 0:
        return []
    img = np.ascontiguousarray(image)
    found = _pyzbar.decode((img.tobytes(), img.shape[1], img.shape[0]), symbols=_ZBAR_QR)
    out = []
    for symbol in found:
        try:
            out.append(symbol.data.decode("ascii"))
        except UnicodeDecodeError:
            continue
    return out


def zbar_region(
    image: np.ndarray,
    page_to_image: np.ndarray,
    box_mm: tuple[float, float, float, float],
    margin_mm: float = 4.0,
) -> list[str]:
    x, y, w, h = box_mm
    corners = np.array(
        [
            [x - margin_mm, y - margin_mm],
            [x + w + margin_mm, y - margin_mm],
            [x + w + margin_mm, y + h + margin_mm],
            [x - margin_mm, y + h + margin_mm],
        ],
        dtype=np.float64,
    ).reshape(-1, 1, 2)
    pts = cv2.perspectiveTransform(corners, page_to_image)[:, 0, :]
    x0, y0 = np.floor(pts.min(axis=0)).astype(int)
    x1, y1 = np.ceil(pts.max(axis=0)).astype(int)
    hh, ww = image.shape
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(ww, x1), min(hh, y1)
    if x1 - x0 < 20 or y1 - y0 < 20:
        return []
    return zbar_payloads(image[y0:y1, x0:x1])


def zbar_full_page(image: np.ndarray) -> list[str]:
    step = 1
    while image.size / (step * step) > FULL_PAGE_PIXEL_BUDGET:
        step += 1
    if step > 1:
        image = cv2.resize(
            image, (image.shape[1] // step, image.shape[0] // step), interpolation=cv2.INTER_AREA
        )
    return zbar_payloads(image)
