"""Serial framing: COBS + CRC round trips, and resynchronisation after garbage."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.serial_frames import (
    MAX_BODY,
    FrameReader,
    Message,
    cobs_decode,
    cobs_encode,
    cobs_encode_reference,
    encode_frame,
)


@given(st.binary(max_size=3000))
def test_cobs_round_trip_and_no_zeros(data: bytes) -> None:
    encoded = cobs_encode(data)
    assert 0 not in encoded
    assert cobs_decode(encoded) == data


@given(
    st.lists(
        st.sampled_from([b"\x00", b"\x01", bytes(range(1, 256)), b"\x07" * 253, b"\xff" * 254]), max_size=12
    ),
    st.binary(max_size=600),
)
def test_fast_cobs_equals_the_reference(pieces: list[bytes], tail: bytes) -> None:
    # Runs of exactly 253, 254 and 255 non-zero bytes, and zeros around them, are where COBS
    # implementations go wrong.
    data = b"".join(pieces) + tail
    assert cobs_encode(data) == cobs_encode_reference(data)


def test_cobs_known_vectors() -> None:
    # Vectors from the COBS paper / Wikipedia.
    assert cobs_encode(b"\x00") == b"\x01\x01"
    assert cobs_encode(b"\x00\x00") == b"\x01\x01\x01"
    assert cobs_encode(b"\x11\x22\x00\x33") == b"\x03\x11\x22\x02\x33"
    assert cobs_encode(bytes(range(1, 255))) == b"\xff" + bytes(range(1, 255)) + b"\x01"


@settings(max_examples=200)
@given(
    st.lists(st.binary(min_size=1, max_size=MAX_BODY), min_size=1, max_size=8),
    st.binary(max_size=300),
    st.integers(1, 64),
)
def test_frames_survive_garbage_and_any_chunking(bodies: list[bytes], garbage: bytes, chunk: int) -> None:
    # Garbage first (a cable glitch), then a delimiter, then good frames; delivered in pieces.
    stream = garbage + b"\x00" + b"".join(encode_frame(b) for b in bodies)
    reader = FrameReader()
    got = []
    for i in range(0, len(stream), chunk):
        got += list(reader.feed(stream[i : i + chunk]))
    assert got[-len(bodies) :] == bodies
    assert len(got) <= len(bodies) + 1  # garbage can at worst look like one frame (CRC 1 in 2^32)


@given(st.binary(min_size=1, max_size=200), st.integers(0, 10_000), st.integers(1, 255))
def test_a_flipped_byte_is_dropped_not_delivered(body: bytes, where: int, xor: int) -> None:
    frame = bytearray(encode_frame(body))
    i = where % (len(frame) - 1)  # not the delimiter
    frame[i] ^= xor
    reader = FrameReader()
    got = list(reader.feed(bytes(frame) + encode_frame(b"next")))
    assert got[-1] == b"next"
    assert body not in got[:-1]  # a damaged frame is never delivered (but for a CRC-32 collision)


def test_message_body_round_trip() -> None:
    m = Message(0x84, 513, b"payload")
    assert Message.parse(m.body()) == m
    assert Message.parse(b"\x02\x01\x00\x00") is None  # another protocol version
