"""One calibration run: feed the sheet through a scanner, measure every side it delivers,
give the sheet back, make the profile. The scanner is passed in (any driver: `feed`,
`return_sheet`, and `identity` where it has one)."""

from __future__ import annotations

import io
from typing import Any

import cv2
import numpy as np
from PIL import Image

from kiosk.calibration.measure import SideMeasures, measure_side
from kiosk.calibration.profile import build_profile
from kiosk.errors import SanaqError
from kiosk.reading.model import SideReading
from kiosk.reading.reader import decode_image
from kiosk.station.ports import ScannerPort
from kiosk.station.service import scanner_identity


def decode(data: bytes | np.ndarray, dpi: float | None) -> tuple[np.ndarray, float]:
    """A fed image as grey pixels, and its nominal dpi: the one asked for, else the file's own,
    else 200."""
    if isinstance(data, np.ndarray):
        grey = data if data.ndim == 2 else cv2.cvtColor(data, cv2.COLOR_BGR2GRAY)
        return grey, dpi or 200.0
    # fuzz30: the reader's own decode, its intake checks first (this path had none: a 948 KB PNG
    # claiming 30,000 x 30,000 px was decoded, 900 MB; a TIFF with a strip missing decoded with a band).
    decoded = decode_image(data)
    if isinstance(decoded, SideReading):
        raise SanaqError("calibration_sheet_unrecognised", f"{decoded.reason}: {decoded.detail}")
    if dpi is None:
        try:
            info = Image.open(io.BytesIO(data)).info.get("dpi")
            dpi = float(info[0]) if info and float(info[0]) >= 50 else None
        except (OSError, ValueError, TypeError):
            dpi = None
    return decoded, dpi or 200.0


def measure_fed(images: tuple[Any, ...], dpi: float | None) -> list[tuple[int, SideMeasures]]:
    """Each image of the fed sheet that holds the calibration sheet, measured; a side that
    does not (a sheet printed on one side only) is left out; none at all is an error."""
    measured = []
    first_error: SanaqError | None = None
    for index, data in enumerate(images):
        grey, nominal = decode(data, dpi)
        try:
            measured.append((index, measure_side(grey, nominal)))
        except SanaqError as exc:
            first_error = first_error or exc
    if not measured:
        raise first_error or SanaqError("calibration_no_sheet")
    return measured


def calibrate_scanner(
    scanner: ScannerPort, measured_at: str, dpi: float | None = None, actor: dict[str, str] | None = None
) -> dict[str, Any]:
    """Scan the calibration sheet once (both sides where the scanner delivers two) and return
    the scanner's profile. The sheet is given back whatever the outcome."""
    identity = scanner_identity(scanner)
    fed = next(iter(scanner.feed()), None)
    if fed is None:
        raise SanaqError("calibration_no_sheet", str(identity.get("url") or identity.get("kind")))
    try:
        measured = measure_fed(fed.images, dpi)
    finally:
        scanner.return_sheet(fed.handle, "calibration")
    return build_profile(identity, measured, measured_at, actor)
