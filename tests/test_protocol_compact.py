"""The QR compact form: base45 (RFC 9285) and the split into parts, as properties."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.errors import SanaqError
from kiosk.protocol import compact


def test_base45_rfc9285_examples() -> None:
    # The examples of RFC 9285 section 4.
    assert compact.b45encode(b"AB") == "BB8"
    assert compact.b45encode(b"Hello!!") == "%69 VD92EX0"
    assert compact.b45encode(b"base-45") == "UJCLQE7W581"
    assert compact.b45decode("QED8WEX0") == b"ietf!"
    for bad in ("GGW", "ZZZ", "A", "a1"):  # out of range, one char left, not in the alphabet
        with pytest.raises(ValueError):
            compact.b45decode(bad)


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=1200), st.integers(min_value=40, max_value=400), st.randoms())
def test_split_join_roundtrip_in_any_order(blob: bytes, part: int, rnd: random.Random) -> None:
    parts = compact.split(blob, part)
    assert all(len(p) <= 24 + 3 * ((part + 1) // 2) for p in parts)
    assert all(set(p) <= set(compact.B45) for p in parts)  # QR alphanumeric mode only
    shuffled = parts + parts[:1]  # a code read twice is harmless
    rnd.shuffle(shuffled)
    assert compact.join(shuffled) == [blob]
    if len(parts) > 1:
        with pytest.raises(SanaqError) as e:
            compact.join(parts[1:])
        assert e.value.code == "protocol_qr_unreadable"
