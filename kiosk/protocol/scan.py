"""Reading the QR codes back: from a PDF (rendered with pdftoppm) or from photos (pyzbar).

pyzbar and poppler are outside the kiosk's core path: imported here only, when a printed
protocol or a photo of one is verified.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from PIL import Image

from kiosk.errors import SanaqError

PDF_DPI = 200


def decode_image(image: Image.Image | np.ndarray) -> list[str]:
    """Every QR text found in one image (grey). Tries the image as is, then a binarised copy."""
    from pyzbar import pyzbar

    grey = np.asarray(image.convert("L")) if isinstance(image, Image.Image) else image
    if grey.ndim == 3:
        grey = np.asarray(Image.fromarray(grey).convert("L"))
    found = _zbar(pyzbar, grey)
    if not found:
        import cv2

        binary = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 51, 10)
        found = _zbar(pyzbar, binary)
    return found


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
    out: list[str] = []
    for path in paths:
        if path.suffix.lower() == ".pdf":
            for page in pdf_pages(path):
                out += decode_image(page)
        else:
            try:
                with Image.open(path) as im:
                    out += decode_image(im.convert("L"))
            except OSError as exc:
                raise SanaqError("protocol_qr_unreadable", f"{path.name}: {exc}") from exc
    return out
