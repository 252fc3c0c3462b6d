"""Limits on an image before it is decoded (issue 11): where the bytes come from, how many
there are, and how many pixels their header claims.

    file -> regular file? size by fstat -> bounded read -> header: format, width x height
         -> only then the decoder

A symlink to /dev/zero, a FIFO, a 3 GB file or a 948 KB PNG that claims 30000 x 30000
pixels is refused with a stable code before any memory is spent on it, and so is a CMYK
image (no ballot scanner makes one; a 4-component JPEG is the dearest to decode). The header is
read by Pillow's lazy `Image.open` (it parses the header and stops); the pixel data is
decoded later by OpenCV, once, by the reader.

speed27: Pillow's `Image.open` costs about 0.2 ms a sheet (2.5 % of the JPEG decode). A JPEG
whose header is plain (the markers up to the scan are ones whose Pillow handling cannot fail
in a way this parser does not see, within the bytes) is read here instead, by
`_plain_jpeg_size`, which gives the size Pillow would give; it only ever *accepts*: every
other file (another format, a refusal, anything unusual in the header) goes to Pillow as
before (`check_header_reference`), so every refusal is Pillow's, word for word
(tests/test_speed27.py: the two agree on real, mutated, truncated and random headers).
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
# image28: the largest page a ballot scan can be. The longest ballot is 148 x 500 mm
# (kiosk/election/model.py: BALLOT_WIDTH_MM, MAX_BALLOT_LENGTH_MM); scanners are set to
# 150-300 dpi (the field generator's DPIS; SANE here defaults to 200 dpi) and we allow up to
# 600 dpi; a document scanner that does not crop to the sheet gives its whole path, 8.5 in
# (216 mm) across, and runs on past the sheet: 50 mm of overrun allowed (550 mm). At 600 dpi
# that is 5,102 x 12,992 px, 66.3 Mpx. So: 13,000 px a side, 67 Mpx (16,000 px and 80 Mpx
# before image28, bounds with no ballot behind them). The reader's size check after decoding
# (kiosk/reading/reader.py) uses these same bounds.
MAX_SIDE_PX, MAX_PIXELS = 13_000, 67_000_000
# What decoding an accepted image may cost (image28). Within MAX_PIXELS the dearest real scan
# is a progressive colour JPEG with full-resolution chroma (4:4:4): libjpeg keeps every
# component's DCT coefficients for the whole page (2 bytes a sample: 6 bytes a pixel) beside
# OpenCV's grey output: at most 8 bytes a pixel from the header alone, 536 MB at 67 Mpx
# (tests/test_speed27.py: `decode_peak_estimate`, against the decode's measured peak in
# benchmarks/results/pass27/image28-bigdecode.txt). A 4-component JPEG (CMYK, or Adobe's
# YCCK: 8 bytes a pixel of coefficients, 735 MB measured at 80 Mpx) is made by no ballot
# scanner (they give grey or colour; the reader reads grey), nor is a CMYK TIFF: refused
# from the header, `image_colour_unsupported`.
REFUSED_MODES = frozenset({"CMYK"})  # Pillow's mode for a 4-component JPEG or a CMYK TIFF
# stain29: a TIFF's decode is not bounded by its size alone. OpenCV reads it a strip (or tile)
# at a time through libtiff's RGBA interface: the strip's raw samples (rows x width x samples x
# bytes a sample) and an RGBA buffer of 4 bytes a pixel of the strip: a 16-bit RGBA TIFF in one
# strip at 67 Mpx rose 770 MB (12 bytes a pixel, image28). `tiff_decode_estimate` (`_tiff_cost`)
# counts them from the header; over TIFF_DECODE_BUDGET (the 8 bytes a pixel at MAX_PIXELS every
# accepted JPEG is held to, 536 MB) the file is refused from the header,
# `image_layout_unsupported`. A scanner's TIFF (1-bit, 8-bit grey or colour, 16-bit grey: one
# strip or many, at any accepted size; 16-bit colour striped at any size, in one strip up to
# 52 Mpx: the longest ballot at 600 dpi is 41 Mpx) is within it (tests/test_stain29_tiff.py;
# the measured peaks in benchmarks/results/pass28/stain29-tiffdecode.txt).
TIFF_DECODE_BUDGET = 8 * MAX_PIXELS
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
    reader accepts; a refusal otherwise. Decodes no pixel data.

    speed27: a plain JPEG header is read by `_plain_jpeg_size` (accepting only where
    `check_header_reference` accepts); everything else is `check_header_reference`."""
    if FAST_JPEG_HEADER and len(data) <= MAX_IMAGE_BYTES:
        size = _plain_jpeg_size(data)
        if size is not None:
            w, h = size
            if max(w, h) <= MAX_SIDE_PX and w * h <= MAX_PIXELS:  # w, h > 0 there
                return None
    return check_header_reference(data)


def check_header_reference(data: bytes) -> SideReading | None:
    """`check_header` by Pillow's `Image.open` alone (the reader's path until speed27, and
    still its path for every header `_plain_jpeg_size` leaves)."""
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
                fmt, (w, h), mode = im.format, im.size, im.mode
                tags = _tiff_tags(im) if fmt == "TIFF" else {}
    except Image.DecompressionBombError as exc:  # Pillow's own bound, above ours
        return rejected("image_size_unsupported", f"{exc} (header)"[-120:])
    except Exception:  # any failure to parse outside bytes is a refusal
        return rejected("image_undecodable", "header")
    if fmt not in FORMATS:
        return rejected("image_undecodable", f"format {fmt}")
    if w <= 0 or h <= 0 or max(w, h) > MAX_SIDE_PX or w * h > MAX_PIXELS:
        return rejected("image_size_unsupported", f"{w}x{h} (header)")
    if mode in REFUSED_MODES:
        return rejected("image_colour_unsupported", f"{fmt} {mode} (header)")
    if fmt == "TIFF":
        cost = _tiff_cost(tags, w, h)
        if cost is None or cost > TIFF_DECODE_BUDGET:
            what = "unknown" if cost is None else f"{cost / 2**20:.0f} MB"
            return rejected("image_layout_unsupported", f"TIFF {mode} {w}x{h}: decode {what} (header)")
    return None


def tiff_decode_estimate(data: bytes) -> int | None:
    """stain29: the bytes decoding `data` (a TIFF) may take at its peak, from its header
    (`_tiff_cost`); None when it is not a TIFF Pillow opens or the header does not say."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as im:
                if im.format != "TIFF":
                    return None
                return _tiff_cost(_tiff_tags(im), im.size[0], im.size[1])
    except Exception:
        return None


def check_tiff_blocks(data: bytes) -> SideReading | None:
    """fuzz30: None unless `data` is a TIFF whose first page does not decode whole; then a
    refusal, `image_undecodable` (`image_layout_unsupported` for tiles). OpenCV's TIFF decoder
    gives an image even when libtiff fails a strip: the strip's rows come out 0 (black, or white
    in a WhiteIsZero TIFF: a band of the ballot erased), and the reader read such pages as ok with
    an empty square marked (benchmarks/results/pass29/fuzz30-band.py.txt: 19 of 46 strips lied
    about, 19 of 46 deflated strips garbled). So, before OpenCV decodes it: every strip the page
    needs is named, with a byte count above 0, inside the file and (uncompressed) at least the
    bytes of its rows (`_tiff_blocks_fault`); and Pillow decodes the page without an error (its
    libtiff decoder raises where OpenCV's fills in zeros: a compressed strip's data is checked
    by decoding it). Tiles are refused: OpenCV decoded an honest 64 x 64-tiled page with rows
    of zeros where Pillow read it whole, and no ballot scanner writes tiles."""
    if data[:4] not in (b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as im:
                if im.format != "TIFF":
                    return None
                w, h = im.size
                tags = getattr(im, "tag_v2", None)
                got = {} if tags is None else {t: tags.get(t) for t in _TIFF_BLOCK_TAGS if t in tags}
                if 322 in got or 323 in got:
                    return rejected("image_layout_unsupported", f"TIFF {w}x{h} in tiles")
                fault = _tiff_blocks_fault(got, w, h, len(data))
                if fault is not None:
                    return rejected("image_undecodable", f"TIFF {fault}")
                try:
                    im.load()
                except Exception:
                    return rejected("image_undecodable", "TIFF strip data")
    except Exception:
        return rejected("image_undecodable", "header")
    return None


# Compression, StripOffsets, StripByteCounts, PlanarConfiguration, TileOffsets, TileByteCounts
_TIFF_BLOCK_TAGS = (258, 259, 273, 277, 278, 279, 284, 322, 323, 324, 325)


def _ints(v: object) -> tuple[int, ...] | None:
    if isinstance(v, int):
        v = (v,)
    if isinstance(v, tuple) and v and all(isinstance(x, int) for x in v):
        return v
    return None


def _tiff_blocks_fault(tags: dict[int, object], w: int, h: int, size: int) -> str | None:
    """What is missing of the strips or tiles a w x h first page with these tags needs in a
    file of `size` bytes, or None. The slow obvious rule: count them, then look at each. (An
    uncompressed YCbCr TIFF with subsampled chroma is counted at full chroma, so refused: no
    scanner writes one; JPEG-compressed YCbCr is not counted, its decode is checked.)"""
    tiled = 322 in tags or 323 in tags
    offs = _ints(tags.get(324 if tiled else 273))
    counts = _ints(tags.get(325 if tiled else 279))
    spp = (_ints(tags.get(277, 1)) or (0,))[0]
    bits = _ints(tags.get(258, 1)) or (0,)
    planar = (_ints(tags.get(284, 1)) or (0,))[0]
    if offs is None or counts is None:
        return "strip offsets or byte counts missing"
    if tiled:
        bw, bh = (_ints(tags.get(322)) or (0,))[0], (_ints(tags.get(323)) or (0,))[0]
    else:
        bw, bh = w, min((_ints(tags.get(278, h)) or (0,))[0], h)
    if spp <= 0 or bw <= 0 or bh <= 0 or min(bits) <= 0 or planar not in (1, 2):
        return "layout"
    planes = spp if planar == 2 else 1
    across, down = -(-w // bw), -(-h // bh)
    want = across * down * planes
    if len(offs) < want or len(counts) < want:
        return f"{min(len(offs), len(counts))} of {want} strips or tiles named"
    row_bits = bw * (max(bits) if planar == 2 else sum(bits) if len(bits) == spp else spp * bits[0])
    raw = tags.get(259, 1) == 1
    for i in range(want):
        if counts[i] <= 0 or offs[i] + counts[i] > size:
            return f"strip or tile {i} not in the file"
        if raw:
            rows = bh if tiled else min(bh, h - (i % down) * bh)
            if counts[i] < rows * ((row_bits + 7) // 8):
                return f"strip or tile {i} short"
    return None


_TIFF_TAGS = (258, 277, 278, 322, 323)  # BitsPerSample, SamplesPerPixel, RowsPerStrip, TileWidth, TileLength


def _tiff_tags(im: Image.Image) -> dict[int, object]:
    tags = getattr(im, "tag_v2", None)
    return {} if tags is None else {t: tags.get(t) for t in _TIFF_TAGS if t in tags}


def _tiff_cost(tags: dict[int, object], w: int, h: int) -> int | None:
    """What OpenCV's TIFF decoder (libtiff's RGBA interface, a strip or tile at a time) may
    hold at its peak for a first page of w x h whose tags are `tags` (Pillow's tag_v2), fitted
    on the decode's peak rise measured in eight cases (benchmarks/results/pass28/
    stain29-tiffdecode.txt: 1-, 8- and 16-bit, grey, colour, RGBA, one strip or 64 rows a strip,
    2.05-12.06 bytes a pixel): the larger of 2 bytes a pixel of the page (what a striped TIFF
    rises) and the largest strip or tile's raw samples (samples x bits a pixel, a sample under 8
    bits counted a byte: libtiff unpacks them; separate planes counted as interleaved) plus an
    RGBA buffer (4 bytes a pixel of it); and a quarter of a byte a pixel of the page beside
    (the measured rises are 0.02-0.07 above the fit: a margin). None where a tag it needs is not a
    positive integer."""

    def one(tag: int, default: int) -> int | None:
        v = tags.get(tag, default)
        if isinstance(v, tuple):
            v = max(v) if v and all(isinstance(x, int) for x in v) else None
        return v if isinstance(v, int) and v > 0 else None

    spp = one(277, 1)  # SamplesPerPixel
    bits = one(258, 1)  # BitsPerSample (the widest)
    if 322 in tags or 323 in tags:  # tiles: TileWidth x TileLength, as the header says
        bw, bh = one(322, 0), one(323, 0)
    else:  # strips: RowsPerStrip (default, and often: the whole page) of the page's width
        rows = one(278, h)
        bw, bh = w, None if rows is None else min(rows, h)
    if spp is None or bits is None or bw is None or bh is None:
        return None
    row = bw * spp * ((max(bits, 8) + 7) // 8)
    return w * h // 4 + max(2 * w * h, bh * row + 4 * bw * bh)


# speed27: read a plain JPEG header here, not by Pillow (False: Pillow for every header).
# ON since fuzz30 (session 30): the fixed-seed session (tests/fuzz_reader.py, 1,500 runs, seed
# 20261128, the test's limits) with it on, every byte input also given to both parsers: the
# same answer on all 1,338 (1,051 sized by this parser), peak 2,490 MB against the 4,096 MB
# limit, no run over 6.3 s (benchmarks/results/pass29/fuzz30-fuzz-on.log); stain29's bound on
# rule_pixels took away the rises below. History: OFF at the merge: with it on,
# tests/test_fuzz.py's fixed-seed session (atheris) passed its 4 GB resident limit (4,482 MB
# at 1,500 runs against 3,715 MB off; a 1.7 GB rise within 14 runs). image28 found what the
# rises are: no decode (the session never meets a header of another size than its own
# sheet's) but stain10.rule_pixels on damaged sheets, 15-56 s of reading
# each, as instrumented Python: about 1.2 GB kept per such run (27dae8a with it on: 5,542 MB
# by run 848; benchmarks/results/pass27/image28-fuzz-findings.txt). The parser only changes
# which runs meet them. stain29 bounded rule_pixels by the window (the same pixels: 0.3-0.8 s a
# call on those windows against 6-17 s, on a loaded machine), but the session was not re-run
# with it on (no time on a machine at load 11); tests/test_speed27.py holds the parser to Pillow
# with it on.
FAST_JPEG_HEADER = True

# Pillow's JPEG markers (JpegImagePlugin.MARKER) by what `JpegImageFile._open` does with them.
_SOF = frozenset((0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF, 0xDE))
_BARE = frozenset((0xC8, *range(0xD0, 0xDA), *range(0xF0, 0xFE)))  # no length, no handler
_SKIP = frozenset((0xC4, 0xCC, 0xDA, 0xDC, 0xDD, 0xDF))  # length, skipped (0xDA: the scan)
_DQT, _COM = 0xDB, 0xFE
_LENGTHED = _SOF | _SKIP | {_DQT, _COM} | frozenset(range(0xE0, 0xF0))  # with APPn


def _plain_jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) when `Image.open` would open `data` as a JPEG of that size and
    `check_header_reference` decide from that size alone; None (ask Pillow) otherwise.

    It walks the markers as `JpegImageFile._open` does, from SOI to the start of scan, and
    gives up (None) at anything whose outcome in Pillow it does not reproduce exactly: a
    plugin before Pillow's JPEG one that would take the file, bytes between markers, a
    marker Pillow does not know, a segment running past the end, a frame header Pillow
    refuses (not 8 bits; not 1, 3 or 4 components; a partial component entry) or the
    reference refuses (4 components: CMYK, image28), a short
    quantization table, short JFIF/Adobe data, an ICC chunk under 14 bytes, Exif (Pillow
    may parse it for the dpi), MPF (the MPO check), Photoshop's APP13, no scan, no frame,
    a zero side, or more pixels than Pillow's own bomb check allows."""
    n = len(data)
    if n < 4 or data[0] != 0xFF or data[1] != 0xD8 or data[2] != 0xFF or not _jpeg_first(data[:16]):
        return None
    seen = _Seen()
    pos = 2  # data[pos] is the 0xFF that starts the next marker
    while True:
        if pos + 1 >= n:
            return None  # the end before the scan
        m = data[pos + 1]
        if m == 0xFF:  # fill byte: the second 0xFF starts the marker
            pos += 1
            continue
        pos += 2
        if m not in _BARE:
            if m not in _LENGTHED or pos + 2 > n:
                return None  # 0xFF00, a marker Pillow does not know, or the end
            end = pos + ((data[pos] << 8) | data[pos + 1])
            if end < pos + 2 or end > n or not _plain_segment(m, data[pos + 2 : end], seen):
                return None
            pos = end
            if m == 0xDA:
                break
        if pos >= n or data[pos] != 0xFF:
            return None  # the end, or bytes Pillow skips one by one
    size = seen.size
    if size is None or size[0] <= 0 or size[1] <= 0 or (seen.exif and not seen.dpi):
        return None
    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and size[0] * size[1] > limit:
        return None  # Pillow warns or refuses (its bomb check): its words
    return size


def _jpeg_first(prefix: bytes) -> bool:
    """Image.open tries every plugin registered before Pillow's JPEG one (BMP, DIB and GIF
    after its preinit) first: True when none of them would take these first 16 bytes."""
    Image.preinit()
    for fmt in Image.ID:
        if fmt == "JPEG":
            return True
        accept = Image.OPEN[fmt][1]
        if accept is None:
            return False
        taken = accept(prefix)
        if taken and not isinstance(taken, str):
            return False
    return False


class _Seen:
    """What `JpegImageFile._open` keeps from the segments that matters here."""

    __slots__ = ("dpi", "exif", "size")

    def __init__(self) -> None:
        self.size: tuple[int, int] | None = None  # the last frame's (width, height)
        self.dpi = False  # a JFIF density in dpi or dpcm: Pillow reads no Exif for one
        self.exif = False


def _plain_segment(m: int, s: bytes, seen: _Seen) -> bool:
    """True when Pillow's handler of marker 0xFF`m` takes the payload `s` without an error
    and without a check this parser does not repeat (JpegImagePlugin's SOF, DQT, APP)."""
    if m in _SOF:
        # image28: not 4 components either (Pillow's CMYK, which the reference refuses).
        if len(s) < 6 or s[0] != 8 or s[5] not in (1, 3) or (len(s) - 6) % 3:
            return False
        seen.size = ((s[3] << 8) | s[4], (s[1] << 8) | s[2])
    elif m == _DQT:
        while s:
            table = 65 if s[0] < 16 else 129  # 8- or 16-bit entries
            if len(s) < table:
                return False
            s = s[table:]
    elif m == 0xE0:
        if s.startswith(b"JFIF"):
            if len(s) < 7:
                return False
            seen.dpi = seen.dpi or (len(s) >= 12 and s[7] in (1, 2))
    elif m == 0xE1:
        seen.exif = seen.exif or s.startswith(b"Exif\0\0")
    elif m == 0xE2:
        return not (s.startswith(b"MPF\0") or (s.startswith(b"ICC_PROFILE\0") and len(s) < 14))
    elif m == 0xED:
        return not s.startswith(b"Photoshop 3.0\x00")
    elif m == 0xEE:
        return not (s.startswith(b"Adobe") and len(s) < 7)
    return True


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
