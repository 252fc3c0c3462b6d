"""fuzz30: crafted image files at the reader's intake (benchmarks/results/pass29/fuzz30-*.py.txt).

What the attack run found the intake doing, held here so that a new OpenCV, libtiff or Pillow
cannot change it unseen: a cut file of any format is refused, not decoded with its missing part
filled in; a TIFF whose tags lie about its strips is refused; a planar, 16-bit, tiled or
multi-page TIFF decodes to its first page's own pixels; a TIFF whose rows a strip are 0 or whose
tile is larger than the budget is refused from its header; and with the fast JPEG header parser
on (as shipped) every crafted JPEG header gets the reference's answer.
"""

from __future__ import annotations

import io
import itertools
import struct
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image

from kiosk.messages import MESSAGES
from kiosk.reading import intake
from kiosk.reading.intake import check_header, check_header_reference
from kiosk.reading.model import SideReading
from kiosk.reading.reader import decode_image

SHORT, LONG = 3, 4
Tags = dict[int, tuple[int, list[int]]]
W, H = 320, 400
GREY = np.random.default_rng(30).integers(0, 256, (H, W), np.uint8)
GREY[::7] = 255  # some structure, so a shifted or repeated row would show


def _ifd(tags: dict[int, tuple[int, list[int]]], at: int) -> bytes:
    entries, extra = b"", b""
    extra_at = at + 2 + 12 * len(tags) + 4
    for tag in sorted(tags):
        typ, vals = tags[tag]
        raw = struct.pack("<" + ("H" if typ == SHORT else "I") * len(vals), *vals)
        if len(raw) <= 4:
            entries += struct.pack("<HHI", tag, typ, len(vals)) + raw.ljust(4, b"\0")
        else:
            entries += struct.pack("<HHII", tag, typ, len(vals), extra_at + len(extra))
            extra += raw
    return struct.pack("<H", len(tags)) + entries + b"\0\0\0\0" + extra


def tiff(pages: list[tuple[dict[int, tuple[int, list[int]]], list[bytes]]]) -> bytes:
    """A little-endian TIFF written by hand: each page's blocks, then its IFD; StripOffsets and
    StripByteCounts (or the tile ones) filled in unless the tags already give them (a lie)."""
    out = bytearray(b"II*\0\0\0\0\0")
    at = []
    for tags, blocks in pages:
        offs, counts = [], []
        for b in blocks:
            offs.append(len(out))
            counts.append(len(b))
            out += b + b"\0" * (len(b) % 2)
        t = dict(tags)
        o, c = (324, 325) if 322 in t else (273, 279)
        t.setdefault(o, (LONG, offs))
        t.setdefault(c, (LONG, counts))
        at.append(len(out))
        out += _ifd(t, len(out))
    struct.pack_into("<I", out, 4, at[0])
    for here, nxt in itertools.pairwise(at):  # chain the pages
        n = struct.unpack_from("<H", out, here)[0]
        struct.pack_into("<I", out, here + 2 + 12 * n, nxt)
    return bytes(out)


def tags(
    w: int, h: int, bits: int, spp: int, photometric: int, rows: int, **more: tuple[int, list[int]]
) -> Tags:
    t = {
        256: (LONG, [w]),
        257: (LONG, [h]),
        258: (SHORT, [bits] * spp),
        259: (SHORT, [1]),
        262: (SHORT, [photometric]),
        277: (SHORT, [spp]),
        278: (LONG, [rows]),
    }
    t.update({int(k[1:]): v for k, v in more.items()})
    return t


def strips(a: np.ndarray, rows: int) -> list[bytes]:
    return [a[y : y + rows].tobytes() for y in range(0, a.shape[0], rows)]


def grey_tiff(**more: tuple[int, list[int]]) -> bytes:
    return tiff([(tags(W, H, 8, 1, 1, 64, **more), strips(GREY, 64))])


def refused(data: bytes) -> str | None:
    """The reason decode_image gives, or None when it decodes; a known code either way."""
    r = decode_image(data)
    if isinstance(r, SideReading):
        assert r.status == "rejected" and r.reason in MESSAGES, r
        return r.reason
    return None


def _jpeg(**kw: object) -> bytes:
    b = io.BytesIO()
    Image.fromarray(GREY).save(b, "JPEG", quality=90, **kw)
    return b.getvalue()


def _formats() -> dict[str, bytes]:
    return {
        "jpeg": _jpeg(),
        "progressive": _jpeg(progressive=True),
        "png": cv2.imencode(".png", GREY)[1].tobytes(),
        "bmp": cv2.imencode(".bmp", GREY)[1].tobytes(),
        "pgm": b"P5\n%d %d\n255\n" % (W, H) + GREY.tobytes(),
        "tiff": _ifd_first_tiff(),
    }


def _ifd_first_tiff() -> bytes:
    """The IFD right after the header, the strips after it (as scanners write a TIFF)."""
    blocks = strips(GREY, 64)
    t = tags(W, H, 8, 1, 1, 64, t273=(LONG, [0] * len(blocks)), t279=(LONG, [len(b) for b in blocks]))
    start = 8 + len(_ifd(t, 8))
    t[273] = (LONG, [start + 64 * W * i for i in range(len(blocks))])
    return b"II*\0" + struct.pack("<I", 8) + _ifd(t, 8) + b"".join(blocks)


@pytest.mark.parametrize("fmt", ["jpeg", "progressive", "png", "bmp", "pgm", "tiff"])
def test_a_cut_file_is_refused_not_filled_in(fmt: str) -> None:
    """A file cut short (a scanner's half-written file, a pulled stick) is refused: OpenCV 5
    gives no image for a JPEG without its end (4.x filled the rest in grey), a PNG, BMP, PGM or
    a TIFF whose strips are cut. Cut at 5 %-99 % and 1-100 bytes before the end."""
    data = _formats()[fmt]
    assert refused(data) is None  # whole: decoded
    n = len(data)
    cuts = sorted({n * f // 100 for f in (5, 25, 50, 75, 90, 99)} | {n - k for k in (1, 2, 10, 100)})
    assert {refused(data[:c]) for c in cuts} == {"image_undecodable"}


@pytest.mark.parametrize("photometric", [0, 1])
@pytest.mark.parametrize(
    "lie",
    [{279: 10}, {279: 0}, {273: 0x7FFFFFF0}, {279: 64 * W - 1}],
)
def test_a_tiff_missing_one_strip_is_refused_not_decoded_with_a_band(
    photometric: int, lie: dict[int, int]
) -> None:
    """The finding: OpenCV decodes a TIFF whose one strip libtiff cannot read, that strip's rows
    0 (a black band; white where 0 is white), and the reader read a ballot with such a band
    as ok with a square marked that is empty (fuzz30-band.py.txt: 19 of 46 strips). Now the
    strips are counted and looked at before the decode: one short, empty or past the end refuses
    the file."""
    pixels = 255 - GREY if photometric == 0 else GREY
    blocks = strips(pixels, 64)
    whole = tiff([(tags(W, H, 8, 1, photometric, 64), blocks)])
    out = decode_image(whole)
    assert isinstance(out, np.ndarray) and np.array_equal(out, GREY)
    tag, value = next(iter(lie.items()))
    offs = [8 + i * 64 * W for i in range(len(blocks))]
    real = {273: offs, 279: [len(b) for b in blocks]}[tag]
    told = tags(W, H, 8, 1, photometric, 64, **{f"t{tag}": (LONG, [*real[:3], value, *real[4:]])})
    data = tiff([(told, blocks)])
    r = intake.check_tiff_blocks(data)
    assert r is not None and (r.reason, r.detail) == (
        "image_undecodable",
        "TIFF strip or tile 3 " + ("short" if tag == 279 and value > 0 else "not in the file"),
    )
    assert check_header(data) is None  # the header alone is fine: the strips are what is missing
    assert refused(data) == "image_undecodable"


def test_the_strips_of_every_honest_layout_pass() -> None:
    """The rule refuses no whole file: chunky and planar, 1-16 bits, one strip or many, tiles,
    and the last strip shorter than the rest (400 rows in strips of 64)."""
    g16 = GREY.astype(np.uint16)
    ones = np.packbits(GREY > 128, axis=1)
    cases = [
        tiff([(tags(W, H, 8, 1, 1, 64), strips(GREY, 64))]),
        tiff([(tags(W, H, 8, 1, 1, H), strips(GREY, H))]),
        tiff([(tags(W, H, 16, 1, 1, 7), strips(g16, 7))]),
        tiff([(tags(W, H, 1, 1, 1, 64), strips(ones, 64))]),
        tiff([(tags(W, H, 8, 3, 2, 64), strips(np.dstack([GREY] * 3), 64))]),
        tiff([(tags(W, H, 8, 3, 2, 64, t284=(SHORT, [2])), strips(GREY, 64) * 3)]),
        _ifd_first_tiff(),
    ]
    for data in cases:
        assert intake.check_tiff_blocks(data) is None
        assert isinstance(decode_image(data), np.ndarray)
    for comp in ("tiff_lzw", "tiff_adobe_deflate", "jpeg", "packbits", "group4"):
        b = io.BytesIO()
        (Image.fromarray(GREY).convert("1") if comp == "group4" else Image.fromarray(GREY)).save(
            b, "TIFF", compression=comp
        )
        assert intake.check_tiff_blocks(b.getvalue()) is None, comp
    assert intake.check_tiff_blocks(_jpeg()) is None  # not a TIFF: not this rule's


def test_a_ballot_tiff_with_a_black_band_is_refused_by_the_reader() -> None:
    """End to end, the finding's own case: the reader's sheet as an 8-bit TIFF in strips of 64
    rows, strip 11's byte count told as 10: read ok with c01 marked (beside the real mark) before
    this pass; now refused, and the whole file still reads."""
    from fieldkit.deck import DeckOptions, generate_sheet
    from kiosk.election.load import load_election
    from kiosk.reading.reader import BallotReader

    pkg = load_election(None)
    reader = BallotReader(pkg.election, pkg.election_hash, keep_crops="never")
    g = generate_sheet(
        pkg.election, pkg.election_hash, "AST-SMD-07", 3, 0, DeckOptions(), with_front=False
    ).back
    h, w = g.shape
    blocks = strips(g, 64)
    whole = reader.read_bytes(tiff([(tags(w, h, 8, 1, 1, 64), blocks)]))
    assert whole.status == "ok"
    counts = [len(b) if i != 11 else 10 for i, b in enumerate(blocks)]
    r = reader.read_bytes(tiff([(tags(w, h, 8, 1, 1, 64, t279=(LONG, counts)), blocks)]))
    assert (r.status, r.reason, r.detail) == ("rejected", "image_undecodable", "TIFF strip or tile 11 short")


@pytest.mark.parametrize(
    ("lie", "code"),
    [
        ({"t279": (LONG, [0] * 7)}, "image_undecodable"),  # StripByteCounts 0
        ({"t279": (LONG, [0xFFFFFFF0] * 7)}, "image_undecodable"),  # 4 GB each
        ({"t273": (LONG, [0x7FFFFFF0] * 7)}, "image_undecodable"),  # past the end
        ({"t257": (LONG, [2 * H])}, "image_undecodable"),  # twice the rows the strips hold
        ({"t278": (LONG, [0])}, "image_layout_unsupported"),  # RowsPerStrip 0: cost unknown
        ({"t258": (SHORT, [4])}, "image_undecodable"),  # 4-bit grey: OpenCV has no reader
        ({"t259": (SHORT, [6])}, "image_undecodable"),  # old-style JPEG: not built in
    ],
)
def test_a_tiff_whose_tags_lie_is_refused(lie: dict[str, tuple[int, list[int]]], code: str) -> None:
    assert refused(grey_tiff(**lie)) == code


def test_a_tile_larger_than_the_budget_is_refused_from_the_header() -> None:
    t = tags(W, H, 8, 1, 1, 64, t322=(LONG, [13_000]), t323=(LONG, [13_000]))
    del t[278]
    data = tiff([(t, [GREY.tobytes()])])
    r = check_header(data)
    assert r is not None and r.reason == "image_layout_unsupported" and "(header)" in r.detail
    assert refused(data) == "image_layout_unsupported"


@pytest.mark.parametrize(
    "layout",
    ["rgb-planar", "rgb16-planar", "grey16", "palette", "white-is-zero", "rows-huge", "deflate"],
)
def test_a_tiff_layout_decodes_to_its_own_pixels(layout: str) -> None:
    """Never a plausible misread: each honest layout decodes to the page's grey, pixel for pixel
    (16-bit to its high byte; planar RGB as the same three planes)."""
    g16 = GREY.astype(np.uint16) * 257
    if layout == "rgb-planar":
        data = tiff([(tags(W, H, 8, 3, 2, 64, t284=(SHORT, [2])), strips(GREY, 64) * 3)])
    elif layout == "rgb16-planar":
        data = tiff([(tags(W, H, 16, 3, 2, 64, t284=(SHORT, [2])), strips(g16, 64) * 3)])
    elif layout == "grey16":
        data = tiff([(tags(W, H, 16, 1, 1, 64), strips(g16, 64))])
    elif layout == "palette":
        data = grey_tiff(t262=(SHORT, [3]), t320=(SHORT, [v * 257 for v in range(256)] * 3))
    elif layout == "white-is-zero":
        data = tiff([(tags(W, H, 8, 1, 0, 64), strips(255 - GREY, 64))])
    elif layout == "rows-huge":
        data = tiff([(tags(W, H, 8, 1, 1, 0xFFFFFFFF), [GREY.tobytes()])])
    else:
        data = tiff(
            [(tags(W, H, 8, 1, 1, 64, t259=(SHORT, [8])), [zlib.compress(s) for s in strips(GREY, 64)])]
        )
    out = decode_image(data)
    assert isinstance(out, np.ndarray) and out.shape == (H, W)
    assert np.array_equal(out, GREY)


def test_a_tiled_tiff_is_refused() -> None:
    """OpenCV decoded this honest tiled page (64 x 64 tiles) with its lower rows 0 and no error,
    where Pillow reads it whole: tiles are refused before the decode (no scanner writes them)."""
    padded = np.pad(GREY, ((0, 16), (0, 16)))
    t = tags(W, H, 8, 1, 1, 64, t322=(LONG, [64]), t323=(LONG, [64]))
    del t[278]
    blocks = [padded[y : y + 64, x : x + 64].tobytes() for y in range(0, H, 64) for x in range(0, W, 64)]
    data = tiff([(t, blocks)])
    with Image.open(io.BytesIO(data)) as im:
        assert np.array_equal(np.asarray(im), GREY)  # the file is whole
    r = intake.check_tiff_blocks(data)
    assert r is not None and (r.reason, r.detail) == ("image_layout_unsupported", f"TIFF {W}x{H} in tiles")
    assert refused(data) == "image_layout_unsupported"


@pytest.mark.parametrize("damage", ["garbage", "cut", "lzw"])
def test_a_tiff_whose_compressed_strip_is_damaged_is_refused(damage: str) -> None:
    """A deflated strip of garbage, or cut in half, or an LZW file with bytes zeroed: OpenCV gave
    the page with that strip's rows 0 (fuzz30-band.py.txt: read ok with a square marked that is
    empty); Pillow's decoder raises, and the file is refused."""
    if damage == "lzw":
        b = io.BytesIO()
        Image.fromarray(GREY).save(b, "TIFF", compression="tiff_lzw")
        data = bytearray(b.getvalue())
        data[len(data) // 3 : len(data) // 3 + 50] = bytes(50)
    else:
        blocks = [zlib.compress(x) for x in strips(GREY, 64)]
        bad = bytes(np.random.default_rng(3).integers(0, 256, len(blocks[3]), np.uint8))
        blocks[3] = bad if damage == "garbage" else blocks[3][: len(blocks[3]) // 2]
        data = bytearray(tiff([(tags(W, H, 8, 1, 1, 64, t259=(SHORT, [8])), blocks)]))
    assert isinstance(cv2.imdecode(np.frombuffer(bytes(data), np.uint8), cv2.IMREAD_GRAYSCALE), np.ndarray)
    r = intake.check_tiff_blocks(bytes(data))
    assert r is not None and (r.reason, r.detail) == ("image_undecodable", "TIFF strip data")
    assert refused(bytes(data)) == "image_undecodable"


def test_a_multi_page_tiff_is_its_first_page_only() -> None:
    """The second page is never decoded: a small first page and a second claiming 100,000 px a
    side decodes to the first; a blank first page hides a second."""
    small = np.full((300, 310), 255, np.uint8)
    huge = (tags(100_000, 100_000, 8, 1, 1, 1), [b"\0" * 100])
    out = decode_image(tiff([(tags(310, 300, 8, 1, 1, 300), [small.tobytes()]), huge]))
    assert isinstance(out, np.ndarray) and out.shape == (300, 310) and (out == 255).all()
    out = decode_image(tiff([(tags(W, H, 8, 1, 1, 64), strips(GREY, 64)), huge]))
    assert isinstance(out, np.ndarray) and np.array_equal(out, GREY)


def _exif(orientation: int) -> bytes:
    ifd0 = b"\1\0" + struct.pack("<HHIHH", 0x0112, SHORT, 1, orientation, 0) + b"\0\0\0\0"
    body = b"Exif\0\0II*\0" + struct.pack("<I", 8) + ifd0
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def _crafted_jpegs() -> dict[str, bytes]:
    base = _jpeg()
    sof = base.find(b"\xff\xc0")
    seg = base[sof : sof + 2 + int.from_bytes(base[sof + 2 : sof + 4], "big")]

    def sized(w: int, h: int) -> bytes:
        s = bytearray(seg)
        struct.pack_into(">HH", s, 5, h, w)
        return bytes(s)

    out = {f"exif{o}": base[:2] + _exif(o) + base[2:] for o in (1, 3, 6, 8)}
    out |= {
        "sof9": base[: sof + 1] + b"\xc9" + base[sof + 2 :],
        "twelve-bit": base[: sof + 4] + b"\x0c" + base[sof + 5 :],
        "height0": base[:sof] + sized(W, 0) + base[sof + len(seg) :],
        "small-sof-first": base[:sof] + sized(64, 64) + base[sof:],
        "huge-sof-first": base[:sof] + sized(60_000, 60_000) + base[sof:],
        "huge-sof-last": base[: sof + len(seg)] + sized(60_000, 60_000) + base[sof + len(seg) :],
        "cut-at-scan": base[: base.find(b"\xff\xda") + 20],
        "progressive": _jpeg(progressive=True),
        "restart-rows": _jpeg(restart_marker_rows=1),
    }
    b = io.BytesIO()
    Image.fromarray(GREY).convert("CMYK").save(b, "JPEG")
    out["cmyk"] = b.getvalue()
    return out


@pytest.mark.parametrize("name", sorted(_crafted_jpegs()))
def test_the_fast_header_answers_as_the_reference_on_crafted_jpegs(name: str) -> None:
    data = _crafted_jpegs()[name]
    assert intake.FAST_JPEG_HEADER is True
    assert check_header(data) == check_header_reference(data)


def test_crafted_jpegs_decode_or_are_refused_as_the_attack_run_saw() -> None:
    got = {n: refused(d) for n, d in _crafted_jpegs().items()}
    assert got == {
        "exif1": None,
        "exif3": None,
        "exif6": None,
        "exif8": None,
        "sof9": None,  # decoded (to noise): the reader then finds no ballot
        "twelve-bit": "image_undecodable",
        "height0": "image_undecodable",
        "small-sof-first": "image_undecodable",  # libjpeg: two frames
        "huge-sof-first": "image_undecodable",
        "huge-sof-last": "image_size_unsupported",  # Pillow's size is the last frame's
        "cut-at-scan": "image_undecodable",
        "progressive": None,
        "restart-rows": None,
        "cmyk": "image_colour_unsupported",
    }
    # EXIF orientation is applied by the decoder: 3 turns the page half round, 6 and 8 a quarter.
    plain = decode_image(_jpeg())
    assert isinstance(plain, np.ndarray)
    for o, turned in ((3, np.rot90(plain, 2)), (6, np.rot90(plain, -1)), (8, np.rot90(plain, 1))):
        out = decode_image(_crafted_jpegs()[f"exif{o}"])
        assert isinstance(out, np.ndarray) and np.array_equal(out, turned), o


def test_a_calibration_scan_gets_the_readers_checks_before_its_decode() -> None:
    """kiosk.calibration.session.decode called cv2.imdecode on the fed bytes with no header
    check: a pixel bomb or a TIFF with a strip missing went straight to OpenCV. Now each is
    refused with the calibration's code, the reader's reason in the detail."""
    from kiosk.calibration.session import decode
    from kiosk.errors import SanaqError

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", 30_000, 30_000, 8, 0, 0, 0, 0))
    bomb = b"\x89PNG\r\n\x1a\n" + ihdr + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    blocks = strips(GREY, 64)
    short = tiff(
        [
            (
                tags(
                    W, H, 8, 1, 1, 64, t279=(LONG, [len(b) if i != 2 else 10 for i, b in enumerate(blocks)])
                ),
                blocks,
            )
        ]
    )
    for data, reason in ((bomb, "image_size_unsupported"), (short, "image_undecodable")):
        with pytest.raises(SanaqError) as err:
            decode(data, None)
        assert err.value.code == "calibration_sheet_unrecognised" and str(err.value.detail).startswith(reason)
    grey, dpi = decode(cv2.imencode(".png", GREY)[1].tobytes(), None)
    assert np.array_equal(grey, GREY) and dpi == 200.0
