"""Messages of the serial scanner protocol (docs/serial-protocol.md, sections 2-5), shared by
the host driver (drivers/serial_scanner.py) and the device emulator (fieldkit/emulator.py)."""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

from kiosk.errors import SanaqError
from kiosk.reading import intake
from kiosk.vocabulary import ErrorCode

# Host to device.
HELLO, STATUS, FEED, ACCEPT, RETURN, HOLD, SET_OPTIONS, CHUNK_ACK, CHUNK_NAK, WHERE = range(0x01, 0x0B)
# Device to host.
HELLO_REPLY, STATUS_REPLY, EVENT, IMAGE_BEGIN, IMAGE_CHUNK, IMAGE_END, RESULT, WHERE_REPLY = range(0x81, 0x89)

CHUNK_SIZE = 1024
WINDOW = 8  # chunks a device may have unacknowledged
CHUNK_RESEND_S = 0.25
CHUNK_TRIES = 5

# Capability bits.
CAP_DUPLEX, CAP_HOLD, CAP_BOX_SENSOR, CAP_DOUBLE_FEED, CAP_COLOUR, CAP_JPEG = (1 << i for i in range(6))

# Device states (STATUS_REPLY).
STATES = {1: "idle", 2: "feeding", 3: "holding", 4: "jammed", 5: "cover_open", 6: "box_full"}
STATE_CODES = {name: code for code, name in STATES.items()}

# Events.
EV_PAPER_IN, EV_PAPER_REMOVED, EV_JAM, EV_DOUBLE_FEED, EV_COVER_OPEN, EV_COVER_CLOSED = range(1, 7)
EV_BOX_FULL, EV_POWER_ON, EV_IN_BOX, EV_RETURNED, EV_IMAGE_FAILED = range(7, 12)
EVENT_CODES = {  # device event -> the station's code (kiosk/messages.py or drivers/base.PLAIN_EVENTS)
    EV_PAPER_IN: "paper_in",
    EV_PAPER_REMOVED: "paper_removed",
    EV_JAM: "scanner_jammed",
    EV_DOUBLE_FEED: "scanner_double_feed",
    EV_COVER_OPEN: "scanner_cover_open",
    EV_COVER_CLOSED: "cover_closed",
    EV_BOX_FULL: "scanner_box_full",
    EV_POWER_ON: "scanner_restarted",
    EV_IN_BOX: "sheet_in_box",
    EV_RETURNED: "sheet_returned",
    EV_IMAGE_FAILED: "scanner_image_failed",
}

# RESULT codes.
OK, BUSY, NO_PAPER, JAMMED, COVER_OPEN, BOX_FULL, UNKNOWN_SHEET, NOT_SUPPORTED, BAD_MESSAGE, DOUBLE_FEED = (
    range(10)
)
RESULT_CODES: dict[int, ErrorCode] = {
    BUSY: "scanner_busy",
    NO_PAPER: "scanner_no_documents",
    JAMMED: "scanner_jammed",
    COVER_OPEN: "scanner_cover_open",
    BOX_FULL: "scanner_box_full",
    UNKNOWN_SHEET: "scanner_protocol_error",
    NOT_SUPPORTED: "scanner_not_supported",
    BAD_MESSAGE: "scanner_protocol_error",
    DOUBLE_FEED: "scanner_double_feed",
}

# WHERE_REPLY whereabouts.
WHEREABOUTS = {0: "unknown", 1: "held", 2: "box", 3: "returned"}
WHEREABOUTS_CODES = {name: code for code, name in WHEREABOUTS.items()}

# Image formats.
FMT_GREY8, FMT_PNG, FMT_JPEG = 1, 2, 3

# What a host accepts in an IMAGE_BEGIN (issue 11): a grey 8-bit 600 dpi scan of the longest
# ballot is 41 MB. stain29: the bounds on pixels are the reader's own (intake's: 13,000 a side
# and 67 Mpx since image28; this module kept 16,000 and 80 Mpx), imported so that a claim the
# reader would refuse is refused here before any chunk is taken (drivers import the core,
# never the reverse).
MAX_IMAGE_BYTES = 64 * 1024 * 1024
MAX_SIDE_PX, MAX_PIXELS = intake.MAX_SIDE_PX, intake.MAX_PIXELS


def unpack(fmt: str, payload: bytes, what: str) -> tuple[int, ...]:
    """`struct.unpack` of a message's leading fields; a payload too short for them is the
    device's protocol error, never a `struct.error`."""
    size = struct.calcsize(fmt)
    if len(payload) < size:
        raise SanaqError("scanner_protocol_error", f"{what}: {len(payload)} bytes, {size} needed")
    return struct.unpack(fmt, payload[:size])


def pack_str(text: str) -> bytes:
    raw = text.encode()[:255]
    return bytes([len(raw)]) + raw


def unpack_strs(data: bytes, count: int) -> list[str]:
    out, i = [], 0
    for _ in range(count):
        if i >= len(data) or i + 1 + data[i] > len(data):
            raise SanaqError("scanner_protocol_error", "a string runs past the end of its message")
        n = data[i]
        out.append(data[i + 1 : i + 1 + n].decode(errors="replace"))
        i += 1 + n
    return out


@dataclass(frozen=True)
class ImageBegin:
    sheet: int
    side: int
    width: int
    height: int
    dpi: int
    fmt: int
    length: int
    chunks: int
    sha256: bytes

    FORMAT = "<IBHHHBIH32s"

    def pack(self) -> bytes:
        return struct.pack(
            self.FORMAT,
            self.sheet,
            self.side,
            self.width,
            self.height,
            self.dpi,
            self.fmt,
            self.length,
            self.chunks,
            self.sha256,
        )

    @classmethod
    def unpack(cls, payload: bytes) -> ImageBegin:
        fields = unpack(cls.FORMAT, payload, "IMAGE_BEGIN")
        return cls(*fields)  # type: ignore[arg-type]

    def check(self) -> None:
        """Refuse a claim before anything is received for it: the size, the pixel count,
        and a chunk count that must be what the size needs (so the chunks are bounded too)."""
        if self.length > MAX_IMAGE_BYTES:
            raise SanaqError("scanner_image_too_large", f"{self.length} bytes")
        if max(self.width, self.height) > MAX_SIDE_PX or self.width * self.height > MAX_PIXELS:
            raise SanaqError("scanner_image_too_large", f"{self.width}x{self.height}")
        if self.length == 0 or self.chunks != math.ceil(self.length / CHUNK_SIZE):
            raise SanaqError("scanner_protocol_error", f"{self.length} bytes in {self.chunks} chunks")
        if self.fmt not in (FMT_GREY8, FMT_PNG, FMT_JPEG):
            raise SanaqError("scanner_protocol_error", f"image format {self.fmt}")


def chunk_header(sheet: int, side: int, index: int) -> bytes:
    return struct.pack("<IBH", sheet, side, index)


def parse_chunk_header(payload: bytes) -> tuple[int, int, int]:
    sheet, side, index = unpack("<IBH", payload, "IMAGE_CHUNK")
    return sheet, side, index
