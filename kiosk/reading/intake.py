"""Limits on an image before it is decoded (issue 11): where the bytes come from, how many
there are, and how many pixels their header claims.

    file -> regular file? size by fstat -> bounded read -> header: format, width x height
         -> only then the decoder

A symlink to /dev/zero, a FIFO, a 3 GB file or a 948 KB PNG that claims 30000 x 30000
pixels is refused with a stable code before any memory is spent on it. The header is
read by Pillow's lazy `Image.open` (it parses the header and stops); the pixel data is
decoded later by OpenCV, once, by the reader.
"""

from __future__ import annotations

import io
import os
import stat
import warnings
from pathlib import Path

from PIL import Image

from kiosk.reading.model import SideReading, rejected

# A grey 600 dpi scan of the longest ballot (148 x 500 mm) is 41 Mpx; an uncompressed
# colour TIFF of it is 124 MB. Anything larger is not a ballot scan.
MAX_IMAGE_BYTES = 160 * 1024 * 1024
# The same bounds as the reader's size check after decoding (kiosk/reading/reader.py).
MAX_SIDE_PX, MAX_PIXELS = 16_000, 80_000_000
FORMATS = {"PNG", "JPEG", "TIFF", "PPM", "BMP"}

# A driver that refuses a file itself (too large, not a regular file) hands the station
# this in place of the image, so that the sheet is returned with the right code.
_REFUSED = b"\x00SANAQ-REFUSED:"


def refused_image(code: str) -> bytes:
    return _REFUSED + code.encode("ascii")


def read_image_file(path: Path | str, limit: int = MAX_IMAGE_BYTES) -> bytes | SideReading:
    """A regular file's bytes, or a refusal. The size comes from fstat on the open file (no
    race with a rename), the read is bounded in case the file grows, and a FIFO or device is
    never read (O_NONBLOCK keeps the open itself from waiting on a FIFO)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        return rejected("file_unreadable", exc.strerror or "")
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return rejected("image_not_regular_file", _kind(st.st_mode))
        if st.st_size > limit:
            return rejected("image_too_large", f"{st.st_size} bytes")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
    except OSError as exc:
        return rejected("file_unreadable", exc.strerror or "")
    finally:
        os.close(fd)
    if len(data) > limit:
        return rejected("image_too_large", "the file grew while it was read")
    return data


def check_header(data: bytes) -> SideReading | None:
    """None when the bytes are an image of a known format whose header claims a size the
    reader accepts; a refusal otherwise. Decodes no pixel data."""
    if data.startswith(_REFUSED):
        code = data[len(_REFUSED) :].decode("ascii", "replace")
        return rejected(
            code if code in ("image_too_large", "image_not_regular_file") else "image_undecodable"
        )
    if len(data) > MAX_IMAGE_BYTES:
        return rejected("image_too_large", f"{len(data)} bytes")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's own bomb warning: we decide below
            with Image.open(io.BytesIO(data)) as im:
                fmt, (w, h) = im.format, im.size
    except Image.DecompressionBombError as exc:  # Pillow's own bound, above ours
        return rejected("image_size_unsupported", f"{exc} (header)"[-120:])
    except Exception:  # any failure to parse outside bytes is a refusal
        return rejected("image_undecodable", "header")
    if fmt not in FORMATS:
        return rejected("image_undecodable", f"format {fmt}")
    if w <= 0 or h <= 0 or max(w, h) > MAX_SIDE_PX or w * h > MAX_PIXELS:
        return rejected("image_size_unsupported", f"{w}x{h} (header)")
    return None


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISDIR, "directory"),
    ):
        if test(mode):
            return name
    return "not a regular file"
