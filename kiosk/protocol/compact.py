"""The signed protocol in compact form for QR codes, and back.

Binary form: the document with its base64url fields decoded back to JSON (payload and
headers) kept as RFC 8785 canonical JSON, raw-deflated (level 9). It is written in base45
(RFC 9285), which QR alphanumeric mode carries at 5.5 bits a character, and split into
parts of at most PART_BYTES bytes, each behind a header

    SQP1:<index>:<count>:<ID>:<base45>

where ID is the first 8 hex digits (upper case) of the SHA-256 of the whole binary form.
Expanding rebuilds the very bytes of the signed file; the verifier then checks everything.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections.abc import Iterable, Mapping
from typing import Any, Final

from kiosk.errors import SanaqError
from kiosk.protocol.keys import b64, unb64
from kiosk.protocol.signed import canonical

PREFIX: Final = "SQP1"
# At most 300 bytes a code: QR version 16 at level Q, 90 mm wide with 1.016 mm modules, two
# codes side by side on A4. Parts are made equal in size (the fewest codes, each as small).
PART_BYTES: Final = 300
MAX_EXPANDED: Final = 1 << 20
B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_INDEX = {c: i for i, c in enumerate(B45)}
_PART = re.compile(r"^SQP1:(\d{1,2}):(\d{1,2}):([0-9A-F]{8}):([0-9A-Z $%*+\-./:]+)$")


def b45encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        c, n = n % 45, n // 45
        d, e = n % 45, n // 45
        out += [B45[c], B45[d], B45[e]]
    if len(data) % 2:
        c, d = data[-1] % 45, data[-1] // 45
        out += [B45[c], B45[d]]
    return "".join(out)


def b45decode(text: str) -> bytes:
    try:
        v = [_B45_INDEX[ch] for ch in text]
    except KeyError as exc:
        raise ValueError("not base45") from exc
    out = bytearray()
    for i in range(0, len(v), 3):
        chunk = v[i : i + 3]
        if len(chunk) == 3:
            n = chunk[0] + chunk[1] * 45 + chunk[2] * 2025
            if n > 0xFFFF:
                raise ValueError("base45 out of range")
            out += bytes((n >> 8, n & 0xFF))
        elif len(chunk) == 2:
            n = chunk[0] + chunk[1] * 45
            if n > 0xFF:
                raise ValueError("base45 out of range")
            out.append(n)
        else:
            raise ValueError("base45 length")
    return bytes(out)


def to_binary(document: Mapping[str, Any]) -> bytes:
    enrol = document["enrolment"]
    inner = {
        "p": json.loads(unb64(document["payload"])),
        "s": [[json.loads(unb64(s["protected"])), s["signature"]] for s in document["signatures"]],
        "e": [json.loads(unb64(enrol["protected"])), json.loads(unb64(enrol["payload"])), enrol["signature"]],
    }
    c = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    return c.compress(canonical(inner)) + c.flush()


def from_binary(blob: bytes) -> dict[str, Any]:
    try:
        d = zlib.decompressobj(-15)
        raw = d.decompress(blob, MAX_EXPANDED)
        if d.unconsumed_tail or not d.eof:
            raise ValueError("truncated or too large")
        inner = json.loads(raw)
        if canonical(inner) != raw:
            raise ValueError("not canonical")
        eh, ep, es = inner["e"]
        return {
            "payload": b64(canonical(inner["p"])),
            "signatures": [{"protected": b64(canonical(h)), "signature": s} for h, s in inner["s"]],
            "enrolment": {"payload": b64(canonical(ep)), "protected": b64(canonical(eh)), "signature": es},
        }
    except (zlib.error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise SanaqError("protocol_malformed", f"QR content: {exc}") from exc


def split(blob: bytes, part_bytes: int | None = None) -> list[str]:
    part_bytes = part_bytes or PART_BYTES
    ident = hashlib.sha256(blob).hexdigest()[:8].upper()
    count = max(1, -(-len(blob) // part_bytes))
    size = max(1, -(-len(blob) // count))
    pieces = [blob[i : i + size] for i in range(0, len(blob), size)] or [b""]
    if len(pieces) > 99:
        raise SanaqError("protocol_malformed", "too large for the QR codes")
    return [f"{PREFIX}:{k + 1}:{len(pieces)}:{ident}:{b45encode(p)}" for k, p in enumerate(pieces)]


def missing_parts(parts: Iterable[str]) -> int:
    """How many parts are missing from the protocols these QR texts belong to."""
    seen: dict[tuple[str, int], set[int]] = {}
    for text in parts:
        m = _PART.match(text)
        if m:
            seen.setdefault((m[3], int(m[2])), set()).add(int(m[1]))
    return sum(count - len(idx) for (_, count), idx in seen.items())


def join(parts: Iterable[str]) -> list[bytes]:
    """Every complete protocol among the decoded QR texts (duplicates and strays ignored)."""
    groups: dict[tuple[str, int], dict[int, bytes]] = {}
    for text in parts:
        m = _PART.match(text)
        if not m:
            continue
        index, count, ident = int(m[1]), int(m[2]), m[3]
        if not 1 <= index <= count:
            continue
        try:
            piece = b45decode(m[4])
        except ValueError:
            continue
        groups.setdefault((ident, count), {})[index] = piece
    out = []
    missing = []
    for (ident, count), pieces in sorted(groups.items()):
        if len(pieces) != count:
            missing.append(f"{ident}: {len(pieces)} of {count}")
            continue
        blob = b"".join(pieces[i] for i in range(1, count + 1))
        if hashlib.sha256(blob).hexdigest()[:8].upper() != ident:
            raise SanaqError("protocol_malformed", f"QR parts of {ident} do not fit together")
        out.append(blob)
    if missing:
        raise SanaqError("protocol_qr_unreadable", "; ".join(missing))
    return out
