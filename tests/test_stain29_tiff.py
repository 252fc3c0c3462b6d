"""stain29: a TIFF's decode bounded from its header (kiosk/reading/intake.py, `_tiff_cost`,
TIFF_DECODE_BUDGET, `image_layout_unsupported`).

OpenCV decodes a TIFF a strip (or tile) at a time through libtiff's RGBA interface: image28
measured a 16-bit RGBA TIFF in one strip at 67 Mpx rising 770 MB. Such a header is now refused
before decoding; every TIFF a scanner gives for a ballot (1-bit, 8-bit grey or colour, 16-bit
grey; 150-600 dpi; one strip or many) is still accepted and read."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
from PIL import Image

from kiosk.messages import MESSAGES
from kiosk.reading import intake
from kiosk.reading.intake import TIFF_DECODE_BUDGET, check_header, tiff_decode_estimate
from kiosk.reading.model import SideReading
from kiosk.reading.reader import decode_image

MM = 25.4


def tiff_header(
    w: int, h: int, spp: int, bits: int, rows: int | None = None, tile: tuple[int, int] | None = None
) -> bytes:
    """A TIFF's header alone (its strip or tile data absent: only the header is read before
    the decision), little-endian, uncompressed, claiming w x h of `spp` samples of `bits`."""
    photometric = 2 if spp >= 3 else 1
    tags: list[tuple[int, int, list[int]]] = [
        (256, 4, [w]),
        (257, 4, [h]),
        (258, 3, [bits] * spp),
        (259, 3, [1]),
        (262, 3, [photometric]),
        (277, 3, [spp]),
        (284, 3, [1]),
    ]
    if tile is None:
        tags += [(273, 4, [4096]), (279, 4, [1])]
        if rows is not None:
            tags.append((278, 4, [rows]))
    else:
        tags += [(322, 4, [tile[0]]), (323, 4, [tile[1]]), (324, 4, [4096]), (325, 4, [1])]
    if spp == 4:
        tags.append((338, 3, [2]))
    tags.sort()
    ifd_len = 2 + 12 * len(tags) + 4
    extra_at = 8 + ifd_len
    extra = b""
    entries = b""
    for tag, typ, vals in tags:
        raw = struct.pack("<" + ("H" if typ == 3 else "I") * len(vals), *vals)
        if len(raw) <= 4:
            val = raw.ljust(4, b"\0")
        else:
            val = struct.pack("<I", extra_at + len(extra))
            extra += raw
        entries += struct.pack("<HHI", tag, typ, len(vals)) + val
    return b"II*\0" + struct.pack("<I", 8) + struct.pack("<H", len(tags)) + entries + b"\0\0\0\0" + extra


def px(mm: float, dpi: int) -> int:
    return round(mm / MM * dpi)


# Ballots 148 mm wide, 210-500 mm long, and a document scanner's whole path (216 x 550 mm).
PAGES = [(148, 210), (148, 297), (148, 500), (216, 550)]
DPIS = [150, 200, 300, 400, 600]


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("spp", "bits"), [(1, 1), (1, 8), (3, 8), (1, 16)])
@pytest.mark.parametrize("rows", [None, 1, 16, 64])
def test_a_scanners_tiff_is_accepted_at_any_ballot_size(
    dpi: int, page: tuple[int, int], spp: int, bits: int, rows: int | None
) -> None:
    w, h = px(page[0], dpi), px(page[1], dpi)
    for ww, hh in ((w, h), (h, w)):  # upright or on its side
        data = tiff_header(ww, hh, spp, bits, rows)
        assert check_header(data) is None, (ww, hh, spp, bits, rows)
        est = tiff_decode_estimate(data)
        assert est is not None and est <= TIFF_DECODE_BUDGET


def test_sixteen_bit_colour_is_accepted_striped_or_at_the_longest_ballot() -> None:
    w, h = px(148, 600), px(500, 600)  # 41.3 Mpx
    assert check_header(tiff_header(w, h, 3, 16)) is None  # one strip: 11 bytes a pixel, 454 MB
    W, H = px(216, 600), px(550, 600)  # 66.3 Mpx
    assert check_header(tiff_header(W, H, 3, 16, rows=64)) is None
    assert check_header(tiff_header(W, H, 4, 16, tile=(256, 256))) is None


@pytest.mark.parametrize(
    ("w", "h", "spp", "bits", "rows", "tile"),
    [
        (5153, 13000, 4, 16, None, None),  # image28's: 770 MB measured
        (5102, 12992, 4, 16, 13000, None),
        (5102, 12992, 3, 16, None, None),  # 16-bit colour in one strip on the whole path
        (2000, 3000, 1, 8, None, (65535, 65535)),  # a tile far larger than the page
        (2000, 3000, 3, 16, None, (20000, 20000)),
    ],
)
def test_a_tiff_whose_decode_costs_too_much_is_refused_from_its_header(
    w: int, h: int, spp: int, bits: int, rows: int | None, tile: tuple[int, int] | None
) -> None:
    data = tiff_header(w, h, spp, bits, rows, tile)
    r = check_header(data)
    assert isinstance(r, SideReading) and r.status == "rejected"
    assert r.reason == "image_layout_unsupported" and r.detail.startswith("TIFF ") and "(header)" in r.detail
    decoded = decode_image(data)
    assert isinstance(decoded, SideReading) and decoded.reason == "image_layout_unsupported"


def test_the_estimate_counts_the_strip_and_the_rgba_buffer() -> None:
    # A quarter of a byte a pixel of the page, and the larger of 2 bytes a pixel of the page
    # and the largest strip's raw samples (a sample under 8 bits a byte) with 4 bytes a pixel.
    p = 100 * 200
    assert tiff_decode_estimate(tiff_header(100, 200, 4, 16)) == p // 4 + p * (8 + 4)
    assert tiff_decode_estimate(tiff_header(100, 200, 1, 16, rows=10)) == p // 4 + 2 * p
    assert tiff_decode_estimate(tiff_header(100, 200, 1, 16, rows=150)) == p // 4 + 150 * 100 * (2 + 4)
    assert tiff_decode_estimate(tiff_header(101, 200, 1, 1)) == 101 * 200 // 4 + 101 * 200 * (1 + 4)
    assert tiff_decode_estimate(tiff_header(100, 200, 3, 8, rows=999)) == p // 4 + p * (3 + 4)
    assert tiff_decode_estimate(tiff_header(100, 200, 1, 8, tile=(160, 320))) == p // 4 + 160 * 320 * 5
    assert tiff_decode_estimate(tiff_header(100, 200, 1, 8, tile=(16, 32))) == p // 4 + 2 * p
    assert tiff_decode_estimate(b"not a tiff") is None
    # The budget: 8 bytes a pixel at the largest page, as every accepted JPEG (image28).
    assert TIFF_DECODE_BUDGET == 8 * intake.MAX_PIXELS


# The decode's peak rise measured in one process a case (benchmarks/results/pass28/
# stain29-tiffdecode.py.txt, output .txt): (w, h, spp, bits, rows or 0, MB risen).
MEASURED = [
    (5153, 13000, 4, 16, 0, 771),  # image28's case (770 MB then): refused now
    (5102, 12992, 3, 8, 0, 445),
    (5102, 12992, 1, 8, 0, 318),
    (5102, 12992, 1, 1, 0, 318),
    (3496, 11811, 3, 16, 0, 397),
    (5102, 12992, 3, 16, 0, 635),  # refused now
    (5102, 12992, 3, 16, 64, 131),
    (5102, 12992, 3, 8, 64, 129),
]


@pytest.mark.parametrize(("w", "h", "spp", "bits", "rows", "mb"), MEASURED)
def test_the_estimate_is_above_every_measured_peak(
    w: int, h: int, spp: int, bits: int, rows: int, mb: int
) -> None:
    est = tiff_decode_estimate(tiff_header(w, h, spp, bits, rows or None))
    assert est is not None and mb * 2**20 <= est <= 1.15 * mb * 2**20  # above, and not far above
    refused = check_header(tiff_header(w, h, spp, bits, rows or None)) is not None
    assert refused == (est > TIFF_DECODE_BUDGET)


@pytest.mark.parametrize("mode", ["1", "L", "RGB", "I;16"])
@pytest.mark.parametrize("compression", [None, "tiff_lzw", "tiff_adobe_deflate", "group4"])
def test_a_real_tiff_is_accepted_and_decoded(mode: str, compression: str | None) -> None:
    if compression == "group4" and mode != "1":
        pytest.skip("CCITT group 4 is for 1-bit scans only")
    rng = np.random.default_rng(1)
    grey = (200 + rng.integers(0, 40, (300, 212))).astype(np.uint8)
    grey[100:110, 20:180] = 20
    page = Image.fromarray(grey)
    if mode == "I;16":
        im = Image.fromarray(grey.astype(np.uint16) * 257)
        assert im.mode == "I;16"
    else:
        im = page.convert(mode)
    buf = io.BytesIO()
    kw = {"compression": compression} if compression else {}
    im.save(buf, "TIFF", dpi=(150, 150), **kw)
    data = buf.getvalue()
    assert check_header(data) is None
    out = decode_image(data)
    assert isinstance(out, np.ndarray) and out.shape == (300, 212)
    assert int(out[105, 100]) < 80 and int(out[200, 100]) > 150


def test_the_layout_refusal_has_its_words() -> None:
    words = MESSAGES["image_layout_unsupported"]
    assert set(words) == {"kk", "ru", "en"} and all("TIFF" in v for v in words.values())
