"""Limits on what a serial scanner may send (issue 11), against a scripted device on a real
loopback TCP socket (the host driver's `socket://` transport): short messages with a good
CRC, an image claim too large to be a ballot, a device that trickles valid frames forever,
and URL errors. Every case ends in a stable code, never a traceback or an endless wait."""

from __future__ import annotations

import hashlib
import math
import socket
import struct
import threading
from collections.abc import Callable, Iterator

import pytest

from drivers import open_scanner
from drivers import serial_protocol as p
from drivers.serial_frames import FrameReader, Message, encode_frame
from drivers.serial_scanner import SerialScanner
from kiosk.errors import SanaqError

Respond = Callable[[Message], list[Message]]


def hello_reply(seq: int, caps: int = p.CAP_HOLD) -> Message:
    payload = struct.pack("<BH", 1, caps) + p.pack_str("Test device") + p.pack_str("T-1") + p.pack_str("1")
    return Message(p.HELLO_REPLY, seq, payload)


def result(seq: int, code: int = p.OK) -> Message:
    return Message(p.RESULT, seq, struct.pack("<HB", seq, code))


class ScriptedDevice:
    """A TCP peer that answers each host message with what `respond` says (real socket,
    real framing); what it sends is fixed by the test, so the host meets exactly the input
    under test."""

    def __init__(self, respond: Respond) -> None:
        self.respond = respond
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.heard: list[Message] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        conn.settimeout(0.1)
        reader = FrameReader()
        with conn:
            while not self.stop.is_set():
                try:
                    data = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not data:
                    return
                for body in reader.feed(data):
                    msg = Message.parse(body)
                    if msg is None:
                        continue
                    self.heard.append(msg)
                    out = b"".join(encode_frame(m.body()) for m in self.respond(msg))
                    try:
                        conn.sendall(out)
                    except OSError:
                        return

    def close(self) -> None:
        self.stop.set()
        self.server.close()
        self.thread.join(2)


@pytest.fixture
def device() -> Iterator[Callable[[Respond], ScriptedDevice]]:
    made: list[ScriptedDevice] = []

    def make(respond: Respond) -> ScriptedDevice:
        d = ScriptedDevice(respond)
        made.append(d)
        return d

    yield make
    for d in made:
        d.close()


def scanner_for(d: ScriptedDevice, **kw: float) -> SerialScanner:
    return SerialScanner(f"socket://127.0.0.1:{d.port}", timeout=0.5, reconnect=1.0, **kw)  # type: ignore[arg-type]


def feeding(
    after_feed: Callable[[int], list[Message]], hello: Callable[[int], Message] = hello_reply
) -> Respond:
    def respond(msg: Message) -> list[Message]:
        if msg.type == p.HELLO:
            return [hello(msg.seq)]
        if msg.type == p.FEED:
            return after_feed(msg.seq)
        return [result(msg.seq)]

    return respond


def begin(length: int, chunks: int, width: int = 1000, height: int = 2000) -> Message:
    b = p.ImageBegin(7, 0, width, height, 200, p.FMT_PNG, length, chunks, b"\0" * 32)
    return Message(p.IMAGE_BEGIN, 0, b.pack())


SHORT = {
    "HELLO_REPLY": (lambda seq: Message(p.HELLO_REPLY, seq, b"\x01"), lambda seq: []),
    "HELLO_REPLY strings": (lambda seq: Message(p.HELLO_REPLY, seq, b"\x01\x01\x00\x09ab"), lambda seq: []),
    "EVENT": (hello_reply, lambda seq: [Message(p.EVENT, 0, b"\x01")]),
    "RESULT": (hello_reply, lambda seq: [Message(p.RESULT, 0, b"\x02")]),
    "IMAGE_BEGIN": (hello_reply, lambda seq: [result(seq), Message(p.IMAGE_BEGIN, 0, b"\0" * 5)]),
    "IMAGE_CHUNK": (
        hello_reply,
        lambda seq: [result(seq), begin(10, 1), Message(p.IMAGE_CHUNK, 0, b"\0\0")],
    ),
    "IMAGE_END": (
        hello_reply,
        lambda seq: [
            result(seq),
            begin(3, 1),
            Message(p.IMAGE_CHUNK, 0, struct.pack("<IBH", 7, 0, 0) + b"abc"),
            Message(p.IMAGE_END, 0, b"\0"),
        ],
    ),
}


@pytest.mark.parametrize("kind", list(SHORT))
def test_a_short_message_with_a_good_crc_is_a_protocol_error(
    device: Callable[[Respond], ScriptedDevice], kind: str
) -> None:
    hello, after_feed = SHORT[kind]
    d = device(feeding(after_feed, hello))
    scanner = scanner_for(d)
    with pytest.raises(SanaqError) as err:
        scanner.open()
        list(scanner.feed())
    assert err.value.code == "scanner_protocol_error", err.value
    scanner.close()


def test_short_status_and_where_replies_are_codes_not_tracebacks(
    device: Callable[[Respond], ScriptedDevice],
) -> None:
    def respond(msg: Message) -> list[Message]:
        if msg.type == p.HELLO:
            return [hello_reply(msg.seq)]
        if msg.type == p.STATUS:
            return [Message(p.STATUS_REPLY, msg.seq, b"\x01")]
        return [Message(p.WHERE_REPLY, msg.seq, b"\x01")]

    scanner = scanner_for(device(respond))
    scanner.open()
    assert scanner.status().state == "offline"
    with pytest.raises(SanaqError) as err:
        scanner.where("T-1/5")
    assert err.value.code == "scanner_protocol_error"
    scanner.close()


@pytest.mark.parametrize(
    ("length", "chunks", "size", "code"),
    [
        (500 * 1024 * 1024, 65535, (1000, 2000), "scanner_image_too_large"),  # the claim
        (p.MAX_IMAGE_BYTES + 1, 65535, (1000, 2000), "scanner_image_too_large"),
        (1_000_000, 65535, (1000, 2000), "scanner_protocol_error"),  # chunks the size does not need
        (1_000_000, 977, (30000, 30000), "scanner_image_too_large"),  # pixels
        (0, 0, (1000, 2000), "scanner_protocol_error"),
    ],
)
def test_an_image_claim_is_bounded_before_any_chunk_is_taken(
    device: Callable[[Respond], ScriptedDevice], length: int, chunks: int, size: tuple[int, int], code: str
) -> None:
    d = device(feeding(lambda seq: [result(seq), begin(length, chunks, *size)]))
    scanner = scanner_for(d)
    scanner.open()
    with pytest.raises(SanaqError) as err:
        list(scanner.feed())
    assert err.value.code == code
    # Refused at IMAGE_BEGIN: not one chunk acknowledged.
    assert not [m for m in d.heard if m.type == p.CHUNK_ACK]
    scanner.close()


def test_each_gap_is_asked_for_once_and_the_image_completes(
    device: Callable[[Respond], ScriptedDevice],
) -> None:
    """Chunks arriving last-first: every earlier index is a gap, asked for (NAK) exactly once
    when first seen, never again, and the image is whole at the end."""
    n = 300
    data = bytes(range(256)) * 1200
    data = data[: n * p.CHUNK_SIZE - 100]
    pieces = [data[i : i + p.CHUNK_SIZE] for i in range(0, len(data), p.CHUNK_SIZE)]
    assert len(pieces) == n
    digest = hashlib.sha256(data).digest()

    def after_feed(seq: int) -> list[Message]:
        b = p.ImageBegin(7, 0, 1000, 2000, 200, p.FMT_PNG, len(data), n, digest)
        out = [result(seq), Message(p.IMAGE_BEGIN, 0, b.pack())]
        out += [
            Message(p.IMAGE_CHUNK, 0, struct.pack("<IBH", 7, 0, i) + pieces[i]) for i in reversed(range(n))
        ]
        return [*out, Message(p.IMAGE_END, 0, struct.pack("<IB", 7, 0))]

    fed_once: list[bool] = []

    def respond(msg: Message) -> list[Message]:
        if msg.type == p.HELLO:
            return [hello_reply(msg.seq)]
        if msg.type == p.FEED:
            if fed_once:
                return [result(msg.seq, p.NO_PAPER)]
            fed_once.append(True)
            return after_feed(msg.seq)
        return []

    d = device(respond)
    scanner = scanner_for(d)
    scanner.open()
    sheets = list(scanner.feed())
    assert [s.images for s in sheets] == [(data,)]
    naks = [struct.unpack("<IBH", m.payload[:7])[2] for m in d.heard if m.type == p.CHUNK_NAK]
    assert sorted(naks) == list(range(n - 1))  # each missing index once
    scanner.close()


class SteppingClock:
    """Time moves by `step` every time the driver looks at it: no sleeping in the test."""

    def __init__(self, step: float) -> None:
        self.now = 1000.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_a_device_that_trickles_valid_frames_is_cut_off_at_the_sheet_deadline(
    device: Callable[[Respond], ScriptedDevice],
) -> None:
    """The device answers FEED with an image and then the same chunk again and again, each a
    valid frame well within the per-message timeout: before, the host waited as long as the
    device kept talking. The sheet's deadline ends it with `scanner_too_slow`."""
    repeats = 5000

    def after_feed(seq: int) -> list[Message]:
        chunk = Message(p.IMAGE_CHUNK, 0, struct.pack("<IBH", 7, 0, 0) + b"x" * 100)
        return [result(seq), begin(100_000, 98), *([chunk] * repeats)]

    d = device(feeding(after_feed))
    clock = SteppingClock(0.01)
    scanner = SerialScanner(
        f"socket://127.0.0.1:{d.port}", timeout=0.5, reconnect=1.0, clock=clock, sheet_deadline=5.0
    )
    scanner.open()
    start = clock.now
    with pytest.raises(SanaqError) as err:
        list(scanner.feed())
    assert err.value.code == "scanner_too_slow"
    # Cut off at the deadline (plus the clock's few steps of slack), long before the
    # device's 5,000 frames (50 s of this clock at a look or more per frame) were used up.
    assert clock.now - start < 5.0 + 1.0
    scanner.close()
    d.thread.join(5)  # the device has heard everything the host sent
    acks = [m for m in d.heard if m.type == p.CHUNK_ACK]
    assert 0 < len(acks) < repeats


@pytest.mark.parametrize(
    "url",
    [
        "sim:?style=NOPE",
        "sim:?n=abc",
        "socket://[::1:bad",
        "socket://127.0.0.1:99999",
        "socket://127.0.0.1",
        "serial:///dev/ttyACM0?baud=fast",
        "serial:///dev/ttyACM0?timeout=-1",
        "serial:///dev/ttyACM0?sheet=nan",
        "nosuch://x",
    ],
)
def test_url_errors_are_codes(url: str) -> None:
    with pytest.raises(SanaqError) as err:
        open_scanner(url)
    assert err.value.code == "scanner_url_invalid"


# --- stain29: the claim's pixel bounds are the reader's own (intake's) -------------------------


def _claim(width: int, height: int) -> p.ImageBegin:
    length = 1_000_000
    return p.ImageBegin(
        1, 0, width, height, 600, p.FMT_JPEG, length, math.ceil(length / p.CHUNK_SIZE), b"\0" * 32
    )


def test_the_claims_pixel_bounds_are_intakes() -> None:
    from kiosk.reading import intake

    assert (p.MAX_SIDE_PX, p.MAX_PIXELS) == (intake.MAX_SIDE_PX, intake.MAX_PIXELS) == (13_000, 67_000_000)


@pytest.mark.parametrize(
    ("size", "refused"),
    [
        ((5_102, 12_992), False),  # the longest ballot at 600 dpi on a scanner's whole path (66.3 Mpx)
        ((12_992, 5_102), False),  # on its side
        ((3_496, 11_811), False),  # the longest ballot itself at 600 dpi
        ((1_000, 13_001), True),  # a side over 13,000 (8b11f5d took it: 16,000)
        ((15_999, 1_000), True),
        ((5_200, 12_900), True),  # 67.08 Mpx (8b11f5d took it: 80 Mpx)
        ((8_900, 8_900), True),  # 79.2 Mpx
    ],
)
def test_a_claim_the_reader_would_refuse_is_refused_at_image_begin(
    size: tuple[int, int], refused: bool
) -> None:
    claim = _claim(*size)
    if refused:
        with pytest.raises(SanaqError) as err:
            claim.check()
        assert err.value.code == "scanner_image_too_large"
    else:
        claim.check()
