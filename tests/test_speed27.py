"""speed27: intake's plain-JPEG header parser answers exactly as Pillow's `Image.open` does.

`check_header` reads a plain JPEG header itself (`_plain_jpeg_size`) and sends every other
header to `check_header_reference` (Pillow). The parser may only accept where Pillow
accepts, with the same size; every refusal stays Pillow's, word for word. Checked on real
files of each format (PIL and OpenCV encoders, several JPEG flavours), on those files
mutated (a byte changed, truncated, a segment inserted, the frame's size rewritten) and on
random bytes after a JPEG's first three.
"""

from __future__ import annotations

import io
import struct

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from PIL.JpegImagePlugin import JpegImageFile

from kiosk.reading import intake
from kiosk.reading.intake import _plain_jpeg_size, check_header, check_header_reference
from kiosk.reading.model import SideReading, rejected
from kiosk.reading.reader import decode_image


def check_header_fast(data: bytes) -> SideReading | None:
    """`check_header` with the parser on (`intake.FAST_JPEG_HEADER` is on as shipped since fuzz30;
    held on here whatever the module says, so these tests hold the parser to Pillow either way)."""
    was = intake.FAST_JPEG_HEADER
    intake.FAST_JPEG_HEADER = True
    try:
        return check_header(data)
    finally:
        intake.FAST_JPEG_HEADER = was


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _pil_jpeg(mode: str, size: tuple[int, int], **kw: object) -> bytes:
    rng = np.random.default_rng(size[0] * 31 + size[1])
    grey = Image.fromarray(rng.integers(0, 256, (size[1], size[0]), np.uint8))
    im = grey if mode == "L" else grey.convert(mode)
    buf = io.BytesIO()
    im.save(buf, "JPEG", **kw)
    return buf.getvalue()


def _exif(dpi_tags: bool) -> bytes:
    ex = Image.Exif()
    ex[0x0110] = "scanner"  # Model
    if dpi_tags:
        ex[0x011A] = 300.0  # XResolution
        ex[0x0128] = 2  # ResolutionUnit: inch
    return ex.tobytes()


def _jpegs() -> list[bytes]:
    """JPEG flavours the station could meet: PIL's (grey, colour, CMYK, progressive,
    optimised, with dpi, Exif, ICC, a comment) and OpenCV's (restart markers, progressive)."""
    out = [
        _pil_jpeg("L", (33, 47)),
        _pil_jpeg("L", (40, 30), dpi=(200, 200)),
        _pil_jpeg("RGB", (17, 9), quality=60, subsampling=2),
        _pil_jpeg("RGB", (64, 48), progressive=True, optimize=True),
        _pil_jpeg("CMYK", (20, 20)),
        _pil_jpeg("L", (25, 25), exif=_exif(False)),  # Exif, no dpi: Pillow reads the Exif
        _pil_jpeg("L", (25, 26), exif=_exif(True)),
        _pil_jpeg("L", (26, 25), exif=_exif(True), dpi=(300, 300)),
        _pil_jpeg("RGB", (12, 12), icc_profile=b"\0" * 3000),
        _pil_jpeg("L", (30, 20), comment=b"scanned"),
    ]
    frames = [Image.fromarray(np.full((20, 30), v, np.uint8)) for v in (40, 200)]
    mpo = io.BytesIO()
    frames[0].save(mpo, "MPO", save_all=True, append_images=frames[1:])  # Pillow: MPO, not JPEG
    out.append(mpo.getvalue())
    img = np.random.default_rng(5).integers(0, 256, (50, 70), np.uint8)
    for params in ([], [cv2.IMWRITE_JPEG_PROGRESSIVE, 1], [cv2.IMWRITE_JPEG_RST_INTERVAL, 2]):
        ok, buf = cv2.imencode(".jpg", img, params)
        assert ok
        out.append(buf.tobytes())
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_GRAY2BGR))
    assert ok
    out.append(buf.tobytes())
    return out


JPEGS = _jpegs()


def _others() -> list[bytes]:
    img = np.full((40, 30), 200, np.uint8)
    out = []
    for ext in (".png", ".tif", ".pgm", ".bmp"):
        ok, buf = cv2.imencode(ext, img)
        assert ok
        out.append(buf.tobytes())
    out.append(b"GIF89a" + b"\0" * 100)
    return out


def _segments(data: bytes) -> list[tuple[int, int, int]]:
    """(offset of the 0xFF, marker, segment end) of each marker up to the scan (a plain file)."""
    out, pos = [], 2
    while pos + 1 < len(data):
        m = data[pos + 1]
        if m in (0xD8, 0xD9) or 0xD0 <= m <= 0xD7:
            out.append((pos, m, pos + 2))
            pos += 2
            continue
        end = pos + 2 + struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        out.append((pos, m, end))
        if m == 0xDA:
            break
        pos = end
    return out


def _same(data: bytes) -> None:
    assert check_header_fast(data) == check_header_reference(data)
    size = _plain_jpeg_size(data)
    if size is not None:  # the parser's size is Pillow's
        with Image.open(io.BytesIO(data)) as im:
            assert (im.format, im.size) == ("JPEG", size)


def test_real_files_of_each_format_agree_and_plain_jpegs_take_the_fast_path() -> None:
    for data in JPEGS + _others():
        _same(data)
    sizes = [_plain_jpeg_size(d) for d in JPEGS]
    # Every flavour but Exif without a JFIF dpi (Pillow reads that Exif for one) and the MPO
    # is read here.
    # is read here; CMYK (image28) goes to Pillow, and the reference refuses it.
    assert sizes[4] is None and sizes[5] is None and sizes[6] is None and sizes[10] is None
    assert check_header_fast(JPEGS[10]) is not None  # "format MPO", Pillow's words
    others = (4, 5, 6, 10)
    assert [s is not None for i, s in enumerate(sizes) if i not in others] == [True] * (len(JPEGS) - 4)
    assert sizes[0] == (33, 47) and sizes[2] == (17, 9) and sizes[-1] == (70, 50)
    refused = [i for i, d in enumerate(JPEGS + _others()[:4]) if check_header_fast(d) is not None]
    assert refused == [4, 10]
    assert check_header_fast(JPEGS[4]) == rejected("image_colour_unsupported", "JPEG CMYK (header)")
    assert check_header_fast(_others()[4]) is not None  # a GIF: not a scan format


def test_the_readers_own_sheets_take_the_fast_path() -> None:
    """The sheets benchmarks/read.py times: the header is read here, not by Pillow."""
    from fieldkit.deck import DeckOptions, generate_sheet
    from kiosk.ballots.layout import build_layout
    from kiosk.election.load import load_election

    pkg = load_election(None)
    layout = build_layout(pkg.election, pkg.election_hash, "MZ-LIST")
    opt = DeckOptions(dpis=(200,), streak=0.0)
    data = generate_sheet(
        pkg.election, pkg.election_hash, "MZ-LIST", 11, 0, opt, layout=layout, with_front=False
    ).back_bytes
    assert data[:3] == b"\xff\xd8\xff"
    with Image.open(io.BytesIO(data)) as im:
        assert _plain_jpeg_size(data) == im.size
    assert check_header_fast(data) is None


@pytest.mark.parametrize(
    ("w", "h"),
    [
        (30_000, 30_000),
        (16_001, 400),
        (13_001, 400),
        (10_000, 9_000),
        (5_154, 13_000),
        (0, 500),
        (65_535, 65_535),
    ],
)
def test_a_jpeg_claiming_a_huge_size_is_refused_before_decoding(w: int, h: int) -> None:
    """A decompression bomb: a few hundred bytes whose frame claims a huge page."""
    buf = bytearray(JPEGS[0])
    sof = next(p for p, m, _ in _segments(bytes(buf)) if m == 0xC0)
    buf[sof + 5 : sof + 9] = struct.pack(">HH", h, w)
    data = bytes(buf)
    r = check_header_fast(data)
    assert r is not None and r == check_header_reference(data)
    assert r.reason == ("image_undecodable" if w == 0 else "image_size_unsupported")
    decoded = decode_image(data)
    assert not isinstance(decoded, np.ndarray) and decoded.reason == r.reason


def test_switched_off_every_header_goes_to_pillow(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bytes] = []
    reference = intake.check_header_reference

    def spy(d: bytes) -> object:
        calls.append(d)
        return reference(d)

    monkeypatch.setattr(intake, "check_header_reference", spy)
    monkeypatch.setattr(intake, "FAST_JPEG_HEADER", True)
    assert check_header(JPEGS[0]) is None and calls == []
    monkeypatch.setattr(intake, "FAST_JPEG_HEADER", False)
    assert check_header(JPEGS[0]) is None and calls == [JPEGS[0]]


def test_the_parser_is_on_as_shipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """fuzz30 switched it on: a plain JPEG's header is not given to Pillow, a PNG's still is."""
    assert intake.FAST_JPEG_HEADER is True
    calls: list[bytes] = []
    reference = intake.check_header_reference

    def spy(d: bytes) -> object:
        calls.append(d)
        return reference(d)

    monkeypatch.setattr(intake, "check_header_reference", spy)
    png = cv2.imencode(".png", np.full((40, 30), 200, np.uint8))[1].tobytes()
    assert check_header(JPEGS[0]) is None and check_header(png) is None and calls == [png]


@SETTINGS
@given(st.sampled_from(JPEGS), st.data())
def test_a_changed_byte_in_the_header(base: bytes, data: st.DataObject) -> None:
    end = _segments(base)[-1][2]
    buf = bytearray(base)
    for _ in range(data.draw(st.integers(1, 3))):
        buf[data.draw(st.integers(0, end + 4))] = data.draw(st.integers(0, 255))
    _same(bytes(buf))


@SETTINGS
@given(st.sampled_from(JPEGS), st.data())
def test_a_truncated_file(base: bytes, data: st.DataObject) -> None:
    end = _segments(base)[-1][2]
    _same(base[: data.draw(st.integers(0, end + 8))])


MARKERS = st.one_of(
    st.integers(0, 255),
    st.sampled_from([0xC0, 0xC2, 0xC4, 0xDB, 0xDD, 0xE0, 0xE1, 0xE2, 0xED, 0xEE, 0xFE, 0xFF, 0x00, 0xD9]),
)
PAYLOADS = st.one_of(
    st.binary(max_size=40),
    st.sampled_from(
        [
            b"JFIF\0\1\1",
            b"JFIF\0\1\2\1\0\x48\0\x48\0\0",
            b"JFIF\0",
            b"Exif\0\0MM\0*",
            b"MPF\0MM\0*\0\0\0\x08",
            b"ICC_PROFILE\0\1",
            b"ICC_PROFILE\0\1\1abc",
            b"Photoshop 3.0\x008BIM",
            b"Adobe",
            b"Adobe\0\x64\0\0\0\0\1",
            b"http://ns.adobe.com/xap/1.0/\0<x/>",
            b"\x08\x00\x10\x00\x10\x01\x01\x11\x00",
            b"\x08\x00\x10\x00\x10\x02\x01\x11",
        ]
    ),
)


@SETTINGS
@given(st.sampled_from(JPEGS), st.data(), MARKERS, PAYLOADS, st.integers(-3, 3), st.binary(max_size=3))
def test_a_segment_inserted(
    base: bytes, data: st.DataObject, marker: int, payload: bytes, skew: int, junk: bytes
) -> None:
    """A segment (any marker, a length off by `skew`), fill bytes or junk at a marker boundary."""
    starts = [p for p, _, _ in _segments(base)] + [2]
    at = data.draw(st.sampled_from(starts))
    length = max(0, min(0xFFFF, len(payload) + 2 + skew))
    kind = data.draw(st.sampled_from(["segment", "bare", "fill", "junk"]))
    piece = {
        "segment": bytes([0xFF, marker]) + struct.pack(">H", length) + payload,
        "bare": bytes([0xFF, marker]),
        "fill": b"\xff" * data.draw(st.integers(1, 3)),
        "junk": junk,
    }[kind]
    _same(base[:at] + piece + base[at:])


EDGES = [
    (0xE0, b"JFIF\0"),  # Pillow: struct.error on the version
    (0xE0, b"JFIF\0\1\1"),
    (0xE0, b"JFIF\0\1\2\1\0\x48\0"),  # a short density: Pillow lets it go
    (0xE0, b"JFIF\0\1\2\2\0\x48\0\x48\0\0"),
    (0xEE, b"Adobe"),
    (0xEE, b"Adobe\0\x64"),
    (0xE2, b"ICC_PROFILE\0"),
    (0xE2, b"ICC_PROFILE\0\1"),
    (0xE2, b"ICC_PROFILE\0\1\1icc"),
    (0xE2, b"MPF\0MM\0*\0\0\0\x08"),
    (0xE1, b"Exif\0\0MM\0*\0\0\0\x08\0\0"),
    (0xED, b"Photoshop 3.0\x008BIM\x03\xed"),
    (0xC0, b"\x08\x00\x10\x00"),  # a frame too short for its size
    (0xC0, b"\x08\x00\x10\x00\x10\x01\x01\x11"),  # a partial component entry
    (0xC0, b"\x08\x00\x10\x00\x10\x01\x01\x11\x00"),
    (0xC2, b"\x0c\x00\x10\x00\x10\x01\x01\x11\x00"),  # 12 bits
    (0xDE, b"\x08\x00\x10\x00\x10\x03\x01\x11\x00\x02\x11\x00\x03\x11\x00"),
    (0xDB, b"\x00" + b"\x01" * 10),  # a short table
    (0xDB, b"\x00" + b"\x01" * 64 + b"\x11" + b"\x01" * 64),  # 8 bits, then a short 16-bit one
    (0xDB, b"\x10" + b"\x01" * 128),
]


@pytest.mark.parametrize(("marker", "payload"), EDGES)
def test_edge_segments_after_the_start_and_before_the_scan(marker: int, payload: bytes) -> None:
    for base in JPEGS:
        segment = bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
        for at in (2, _segments(base)[-1][0]):
            _same(base[:at] + segment + base[at:])


@SETTINGS
@given(
    st.sampled_from(JPEGS),
    st.data(),
    st.sampled_from([0xC0, 0xC2, 0xC4, 0xDB, 0xDD, 0xE0, 0xE1, 0xE2, 0xE3, 0xED, 0xEE, 0xFE, 0xDA]),
    PAYLOADS,
)
def test_a_known_segment_with_any_payload(
    base: bytes, data: st.DataObject, marker: int, payload: bytes
) -> None:
    """A well-formed segment of a marker Pillow handles, its payload anything (often short)."""
    at = data.draw(st.sampled_from([p for p, _, _ in _segments(base)][1:]))
    _same(base[:at] + bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload + base[at:])


@SETTINGS
@given(
    st.sampled_from(JPEGS),
    st.integers(0, 0xFFFF),
    st.integers(0, 0xFFFF),
    st.integers(0, 255),
    st.integers(0, 255),
)
def test_the_frame_rewritten(base: bytes, w: int, h: int, bits: int, layers: int) -> None:
    data = bytearray(base)
    sof = next(p for p, m, _ in _segments(base) if m in (0xC0, 0xC1, 0xC2))
    data[sof + 4] = bits if bits % 3 else 8
    data[sof + 5 : sof + 9] = struct.pack(">HH", h, w)
    if layers % 2:
        data[sof + 9] = layers
    _same(bytes(data))


@SETTINGS
@given(st.binary(max_size=200))
def test_random_bytes_after_a_jpeg_start(tail: bytes) -> None:
    _same(b"\xff\xd8\xff" + tail)
    _same(b"\xff\xd8" + tail)


# --- image28: what an accepted image may cost to decode ----------------------------------------


def decode_peak_estimate(width: int, height: int, components: int, progressive: bool) -> int:
    """An upper bound, in bytes, on the peak of OpenCV's grey decode of a JPEG with this frame
    (measured against it: benchmarks/results/pass27/image28-bigdecode.txt). The grey output
    with OpenCV's buffers: 2 bytes a pixel. libjpeg keeps the whole page's DCT coefficients
    (2 bytes a sample) when the file has several scans: always when progressive, and perhaps
    for a baseline file of several components (they may come in separate scans; the header
    up to the first scan does not say): each component counted at full resolution
    (subsampling only lowers it), each side rounded up to the largest MCU (32 px)."""
    out = 2 * width * height
    if progressive or components > 1:
        out += 2 * components * (width + 31) * (height + 31)
    return out


# The dearest accepted: 8 bytes a pixel at MAX_PIXELS (a progressive 4:4:4 colour JPEG), and
# the MCU rounding of a 13,000 px side (under 4 MB).
DECODE_PEAK_BUDGET = 8 * intake.MAX_PIXELS + 4_000_000


def _frame(data: bytes) -> tuple[int, bool]:
    """(components, progressive) as Pillow reads them from the header."""
    with Image.open(io.BytesIO(data)) as im:
        assert isinstance(im, JpegImageFile)
        return im.layers, bool(im.info.get("progressive"))


def _framed(base: bytes, w: int, h: int) -> bytes:
    buf = bytearray(base)
    sof = next(p for p, m, _ in _segments(base) if m in (0xC0, 0xC1, 0xC2))
    buf[sof + 5 : sof + 9] = struct.pack(">HH", h, w)
    return bytes(buf)


SCANS = {  # what a scanner may send: grey or colour, baseline or progressive, any chroma
    "grey": _pil_jpeg("L", (64, 64), quality=90),
    "grey progressive": _pil_jpeg("L", (64, 64), progressive=True),
    "colour 4:2:0": _pil_jpeg("RGB", (64, 64), subsampling=2),
    "colour 4:4:4": _pil_jpeg("RGB", (64, 64), subsampling=0, quality=95),
    "colour 4:2:2 progressive": _pil_jpeg("RGB", (64, 64), subsampling=1, progressive=True),
    "colour 4:4:4 progressive": _pil_jpeg("RGB", (64, 64), subsampling=0, progressive=True),
}
CMYKS = {
    "CMYK": _pil_jpeg("CMYK", (64, 64)),
    "CMYK progressive": _pil_jpeg("CMYK", (64, 64), progressive=True),
}


def _ycck() -> bytes:
    """Adobe's YCCK: 4 components with an APP14 transform of 2 (Pillow writes CMYK with 0)."""
    data = CMYKS["CMYK"]
    at = data.index(b"Adobe") - 4  # the 0xFFEE, its length, then Adobe and 6 bytes of version and flags
    assert data[at : at + 2] == b"\xff\xee" and data[at + 15] == 0
    ycck = data[: at + 15] + b"\x02" + data[at + 16 :]
    with Image.open(io.BytesIO(ycck)) as im:
        assert im.info.get("adobe_transform") == 2
    return ycck


@pytest.mark.parametrize("kind", sorted(SCANS))
@pytest.mark.parametrize("dpi", [150, 200, 300, 600])
@pytest.mark.parametrize(("across_mm", "along_mm"), [(148, 210), (148, 500), (216, 550)])
def test_every_real_scan_of_a_ballot_is_accepted_both_ways(
    kind: str, dpi: int, across_mm: int, along_mm: int
) -> None:
    """A ballot (148 x 210-500 mm; a scanner's whole 8.5 in path and 50 mm of overrun at most)
    at 150-600 dpi, grey or colour, baseline or progressive, upright or on its side: accepted
    by the parser and by Pillow alike, and within the decode budget."""
    w, h = round(across_mm * dpi / 25.4), round(along_mm * dpi / 25.4)
    for sw, sh in ((w, h), (h, w)):
        data = _framed(SCANS[kind], sw, sh)
        assert check_header_fast(data) is None and check_header_reference(data) is None
        assert _plain_jpeg_size(data) == (sw, sh)
        layers, progressive = _frame(data)
        assert progressive == ("progressive" in kind) and layers == (1 if kind.startswith("grey") else 3)
        assert decode_peak_estimate(sw, sh, layers, progressive) <= DECODE_PEAK_BUDGET


@pytest.mark.parametrize("data", [*CMYKS.values(), _ycck()], ids=[*CMYKS, "YCCK"])
def test_a_cmyk_or_ycck_jpeg_is_refused_from_its_header(data: bytes) -> None:
    """No ballot scanner makes one, and it is the dearest JPEG to decode (4 components): the
    parser leaves it to Pillow, which refuses it, whatever its size."""
    with Image.open(io.BytesIO(data)) as im:
        assert im.mode == "CMYK"
    assert _frame(data)[0] == 4
    for w, h in ((64, 64), (1200, 2900), (5_153, 13_000)):
        framed = _framed(data, w, h)
        assert _plain_jpeg_size(framed) is None
        r = check_header_fast(framed)
        assert (
            r == check_header_reference(framed) == rejected("image_colour_unsupported", "JPEG CMYK (header)")
        )
        decoded = decode_image(framed)
        assert isinstance(decoded, SideReading) and decoded.reason == "image_colour_unsupported"


def test_the_colour_refusal_has_its_words() -> None:
    from kiosk.messages import MESSAGES

    words = MESSAGES["image_colour_unsupported"]
    assert set(words) == {"kk", "ru", "en"} and all("CMYK" in v for v in words.values())


def test_a_cmyk_tiff_is_refused_and_other_tiffs_pass() -> None:
    page = Image.new("L", (80, 120), 230)
    out = {}
    for mode in ("L", "RGB", "CMYK"):
        buf = io.BytesIO()
        page.convert(mode).save(buf, "TIFF")
        out[mode] = check_header_fast(buf.getvalue())
    assert out == {"L": None, "RGB": None, "CMYK": rejected("image_colour_unsupported", "TIFF CMYK (header)")}


@SETTINGS
@given(
    st.sampled_from([*SCANS.values(), *CMYKS.values()]),
    st.integers(1, 0xFFFF),
    st.integers(1, 0xFFFF),
    st.sampled_from([0xC0, 0xC1, 0xC2]),
)
def test_what_is_accepted_decodes_within_the_budget(base: bytes, w: int, h: int, sof: int) -> None:
    """Any frame (size, components, baseline or progressive) the header check accepts, by the
    parser or by Pillow, costs at most DECODE_PEAK_BUDGET to decode; the two agree."""
    buf = bytearray(_framed(base, w, h))
    at = next(p for p, m, _ in _segments(bytes(buf)) if m in (0xC0, 0xC1, 0xC2))
    buf[at + 1] = sof
    data = bytes(buf)
    _same(data)
    if check_header_fast(data) is None:
        layers, progressive = _frame(data)
        assert decode_peak_estimate(w, h, layers, progressive) <= DECODE_PEAK_BUDGET
        assert layers in (1, 3) and w * h <= intake.MAX_PIXELS


def test_the_budget_is_the_dearest_real_scan_at_the_bounds() -> None:
    """The bound is tight: a progressive 4:4:4 colour page of MAX_PIXELS is accepted and its
    estimate fills the budget; the same page in CMYK would not fit it."""
    w, h = intake.MAX_PIXELS // intake.MAX_SIDE_PX, intake.MAX_SIDE_PX
    assert check_header_fast(_framed(SCANS["colour 4:4:4 progressive"], w, h)) is None
    assert DECODE_PEAK_BUDGET - 5_000_000 < decode_peak_estimate(w, h, 3, True) <= DECODE_PEAK_BUDGET
    assert decode_peak_estimate(w, h, 4, True) > DECODE_PEAK_BUDGET
