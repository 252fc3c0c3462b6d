"""Coverage-guided fuzzing of the serial scanner's frame parser and message decoding with
atheris: the bytes a cable (or a hostile device) can put on the line.

    .venv/bin/python tests/fuzz_serial.py -runs=20000 -seed=1     # or without -runs: until stopped

Each input, by its first byte, is:
  0: raw line bytes fed to `FrameReader` in fuzzed pieces, every body it yields parsed as
     a `Message` and decoded the way the host driver decodes its type;
  1: a fuzzed body wrapped in a valid frame (good CRC), so the decoders see any payload.
Frames may be dropped, never raised; a decoder may only raise SanaqError with a known
code (`scanner_protocol_error`, `scanner_image_too_large`). tests/test_fuzz.py runs a
short fixed-seed session.
"""

from __future__ import annotations

import sys

import atheris

from kiosk.messages import MESSAGES

with atheris.instrument_imports(include=["drivers", "kiosk"]):
    from drivers import serial_protocol as p
    from drivers.serial_frames import FrameReader, Message, encode_frame
    from kiosk.errors import SanaqError


def decode(msg: Message) -> None:
    """What the host driver does with each message type (drivers/serial_scanner.py)."""
    if msg.type == p.HELLO_REPLY:
        p.unpack("<BH", msg.payload, "HELLO_REPLY")
        p.unpack_strs(msg.payload[3:], 3)
    elif msg.type == p.EVENT:
        p.unpack("<BI", msg.payload, "EVENT")
    elif msg.type == p.RESULT:
        p.unpack("<HB", msg.payload, "RESULT")
    elif msg.type == p.IMAGE_BEGIN:
        p.ImageBegin.unpack(msg.payload).check()
    elif msg.type == p.IMAGE_CHUNK:
        p.parse_chunk_header(msg.payload)
    elif msg.type == p.IMAGE_END:
        p.unpack("<IB", msg.payload, "IMAGE_END")
    elif msg.type == p.WHERE_REPLY:
        p.unpack("<IB", msg.payload, "WHERE_REPLY")
    elif msg.type == p.STATUS_REPLY:
        p.unpack("<BIB", msg.payload, "STATUS_REPLY")


def handle(body: bytes) -> None:
    msg = Message.parse(body)
    if msg is None:
        return
    try:
        decode(msg)
    except SanaqError as exc:
        assert exc.code in MESSAGES and exc.code.startswith("scanner_"), exc.code


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    if fdp.ConsumeIntInRange(0, 1) == 0:
        reader = FrameReader()
        while fdp.remaining_bytes():
            piece = fdp.ConsumeBytes(fdp.ConsumeIntInRange(1, 64))
            for body in reader.feed(piece):
                handle(body)
    else:
        kind = fdp.PickValueInList(
            [
                p.HELLO_REPLY,
                p.EVENT,
                p.RESULT,
                p.IMAGE_BEGIN,
                p.IMAGE_CHUNK,
                p.IMAGE_END,
                p.WHERE_REPLY,
                p.STATUS_REPLY,
            ]
        )
        body = bytes([1, kind]) + fdp.ConsumeBytes(2) + fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 80))
        (got,) = list(FrameReader().feed(encode_frame(body)))
        assert got == body
        handle(got)


if __name__ == "__main__":
    args = list(sys.argv)
    if not any(a.startswith("-max_len") for a in args):
        args += ["-max_len=1024"]
    atheris.Setup(args, one_input)
    atheris.Fuzz()
