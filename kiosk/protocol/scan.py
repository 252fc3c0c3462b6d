"""Reading the QR codes back: from a PDF (rendered with pdftoppm) or from photos (pyzbar).

pyzbar and poppler are outside the kiosk's core path: imported here only, when a printed
protocol or a photo of one is verified.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
from PIL import Image

from kiosk.errors import SanaqError

PDF_DPI = 200


def decode_image(image: Image.Image | np.ndarray, thorough: bool = False) -> list[str]:
    """Every QR text found in one image. zbar misses some codes at some scales, so with
    `thorough` (or when nothing is found) it tries again on a binarised copy and on smaller
    copies, until the parts found are complete, and keeps the union."""
    from pyzbar import pyzbar

    grey = np.asarray(image.convert("L")) if isinstance(image, Image.Image) else image
    if grey.ndim == 3:
        grey = np.asarray(Image.fromarray(grey).convert("L"))
    found = set(_zbar(pyzbar, grey))
    if found and (not thorough or _complete(found)):
        return sorted(found)
    import cv2

    h, w = grey.shape
    attempts: list[Callable[[], np.ndarray]] = [
        lambda: cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 51, 10),
        lambda: cv2.resize(grey, (w * 2 // 3, h * 2 // 3), interpolation=cv2.INTER_AREA),
        lambda: cv2.resize(grey, (w // 2, h // 2), interpolation=cv2.INTER_AREA),
        lambda: cv2.resize(grey, (w * 3 // 4, h * 3 // 4), interpolation=cv2.INTER_AREA),
    ]
    for attempt in attempts:
        found |= set(_zbar(pyzbar, attempt()))
        if _complete(found):
            break
    return sorted(found)


def _complete(found: set[str]) -> bool:
    """Some part was found and, of every protocol seen, every part on this page is in."""
    from kiosk.protocol.compact import missing_parts

    return bool(found) and not missing_parts(found)


def _zbar(pyzbar: object, grey: np.ndarray) -> list[str]:
    h, w = grey.shape[:2]
    results = pyzbar.decode((np.ascontiguousarray(grey).tobytes(), w, h), symbols=[pyzbar.ZBarSymbol.QRCODE])  # type: ignore[attr-defined]
    out = []
    for r in results:
        try:
            out.append(r.data.decode("ascii"))
        except UnicodeDecodeError:
            continue
    return out


def pdf_pages(pdf: Path, dpi: int = PDF_DPI) -> list[Image.Image]:
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run(
                ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), f"{tmp}/p"],
                check=True,
                capture_output=True,
                timeout=60,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise SanaqError("protocol_qr_unreadable", f"{pdf.name}: cannot render ({exc})") from exc
        pages = []
        for f in sorted(Path(tmp).glob("p-*.png"), key=lambda q: int(q.stem.split("-")[1])):
            with Image.open(f) as im:
                pages.append(im.convert("L"))
        return pages


def texts_from(paths: Iterable[Path]) -> list[str]:
    """The QR texts of every input; a second, thorough pass when parts are missing."""
    images: list[Image.Image] = []
    for path in paths:
        if path.suffix.lower() == ".pdf":
            images += pdf_pages(path)
        else:
            try:
                with Image.open(path) as im:
                    images.append(im.convert("L"))
            except OSError as exc:
                raise SanaqError("protocol_qr_unreadable", f"{path.name}: {exc}") from exc
    return decode_images(images)


def decode_images(images: list[Image.Image]) -> list[str]:
    from kiosk.protocol.compact import missing_parts

    found: set[str] = set()
    for im in images:
        found |= set(decode_image(im))
    if not found or missing_parts(found):
        for im in images:
            found |= set(decode_image(im, thorough=True))
            if found and not missing_parts(found):
                break
    return sorted(found)
