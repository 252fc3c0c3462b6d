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


# Limits on what `sanaq verify` reads back (attack pass, issue 12): a 165 KB PNG declaring
# 12000 x 12000 pixels took 1.6 GB and 38 s, a 948 KB one of 30000 x 30000 a traceback, and a
# 333-byte PDF with one 200 x 200 inch page asks pdftoppm for 40000 x 40000 pixels.
MAX_INPUT_BYTES = 64 * 1024 * 1024
MAX_PHOTO_PIXELS = 64_000_000  # a 64 Mpx photo; phones take 12-50 Mpx by default
MAX_PDF_PAGES = 32  # a protocol prints on a few pages
MAX_PDF_PAGE_PT = 1191.0  # A3's long side: no page of a protocol is larger
PDFTOPPM_MEMORY = 1 << 30
PDFTOPPM_OUTPUT = 256 * 1024 * 1024


def _refuse(path: Path, why: str) -> SanaqError:
    return SanaqError("protocol_qr_unreadable", f"{path.name}: {why}")


def _read(path: Path) -> bytes:
    from kiosk.election.load import read_bounded

    try:
        return read_bounded(path, MAX_INPUT_BYTES)
    except (OSError, ValueError) as exc:
        raise _refuse(path, str(exc)) from exc


def open_photo(path: Path) -> Image.Image:
    """A photo, grey, once its header says a size worth decoding."""
    import io
    import warnings

    data = _read(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's bomb warning: the bound is ours
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
                if w * h > MAX_PHOTO_PIXELS:
                    raise _refuse(path, f"{w}x{h} pixels, more than {MAX_PHOTO_PIXELS}")
                return im.convert("L")
    except SanaqError:
        raise
    except Exception as exc:  # Pillow's own bomb error, truncated or foreign data
        raise _refuse(path, str(exc)[:160]) from exc


def _pdf_pages_ok(pdf: Path) -> None:
    """Page count and sizes from pdfinfo, before anything is rendered."""
    try:
        r = subprocess.run(
            ["pdfinfo", "-f", "1", "-l", str(MAX_PDF_PAGES + 1), str(pdf)],
            capture_output=True,
            text=True,
            timeout=30,
            preexec_fn=_limits,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise _refuse(pdf, f"pdfinfo: {exc}") from exc
    if r.returncode != 0:
        raise _refuse(pdf, f"not a readable PDF ({r.stderr.strip()[:120]})")
    for line in r.stdout.splitlines():
        key, _, value = line.partition(":")
        if key == "Pages" and int(value) > MAX_PDF_PAGES:
            raise _refuse(pdf, f"{int(value)} pages, more than {MAX_PDF_PAGES}")
        if key.startswith("Page") and key.endswith("size"):
            w, _, h = value.split()[:3]
            if max(float(w), float(h)) > MAX_PDF_PAGE_PT:
                raise _refuse(pdf, f"a page of {w} x {h} pt, larger than A3")


def _limits() -> None:
    """In the renderer's process: bounded memory and output (a PDF can hold its own bombs)."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (PDFTOPPM_MEMORY, PDFTOPPM_MEMORY))
    resource.setrlimit(resource.RLIMIT_FSIZE, (PDFTOPPM_OUTPUT, PDFTOPPM_OUTPUT))


def pdf_pages(pdf: Path, dpi: int = PDF_DPI) -> list[Image.Image]:
    _read(pdf)  # a regular file of a bounded size
    _pdf_pages_ok(pdf)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run(
                ["pdftoppm", "-r", str(dpi), "-gray", "-png", "-l", str(MAX_PDF_PAGES), str(pdf), f"{tmp}/p"],
                check=True,
                capture_output=True,
                timeout=60,
                preexec_fn=_limits,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise SanaqError("protocol_qr_unreadable", f"{pdf.name}: cannot render ({exc})") from exc
        return [
            open_photo(f) for f in sorted(Path(tmp).glob("p-*.png"), key=lambda q: int(q.stem.split("-")[1]))
        ]


def texts_from(paths: Iterable[Path]) -> list[str]:
    """The QR texts of every input; a second, thorough pass when parts are missing."""
    images: list[Image.Image] = []
    for path in paths:
        images += pdf_pages(path) if path.suffix.lower() == ".pdf" else [open_photo(path)]
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
