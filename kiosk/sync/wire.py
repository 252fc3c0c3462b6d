"""What the kiosk and the headquarters intake agree on: the signed request and the signed receipt.

Signed requests (docs/sync.md): the station signs, with its device key (the one its enrolment
names), the canonical text ``sanaq-sync/1 METHOD PATH SHA256(body) TIME STATION`` (one item a
line). The intake checks the signature against the device key of the enrolment that the
protocol itself carries (signed by headquarters), and refuses a time further than
``MAX_SKEW`` seconds from its own clock (a captured request replayed later).

Receipts: a flattened JWS (the enrolment's shape) signed by a headquarters key of the trust
map, whose payload says what was stored (the delivery key = sha256 of the file bytes, the
protocol's payload hash, station, contest, version), whether it is the current version, and when.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.election.package import key_id
from kiosk.errors import SanaqError
from kiosk.protocol.keys import b64, unb64
from kiosk.protocol.signed import JWS_ALG, Trust, canonical

REQUEST_FORMAT: Final = "sanaq-sync/1"
RECEIPT_FORMAT: Final = "sanaq.receipt/1"
RECEIPT_CTY: Final = "sanaq.receipt+json"
MAX_SKEW: Final = 300  # seconds
PATH: Final = "/v1/deliveries"
H_STATION: Final = "x-sanaq-station"
H_TIME: Final = "x-sanaq-time"
H_SIGNATURE: Final = "x-sanaq-signature"
H_KEY: Final = "x-sanaq-delivery"


def delivery_key(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def request_text(method: str, path: str, body: bytes, when: int, station: str) -> bytes:
    return "\n".join((REQUEST_FORMAT, method.upper(), path, delivery_key(body), str(when), station)).encode()


def sign_request(
    key: Ed25519PrivateKey, method: str, path: str, body: bytes, when: int, station: str
) -> dict[str, str]:
    sig = key.sign(request_text(method, path, body, when, station))
    return {H_STATION: station, H_TIME: str(when), H_SIGNATURE: b64(sig), H_KEY: delivery_key(body)}


def verify_request(
    public: bytes, headers: Mapping[str, str], method: str, path: str, body: bytes, now: float, station: str
) -> None:
    """Raises SanaqError (sync_request_bad) unless the station's device key signed this request lately."""
    try:
        when = int(headers[H_TIME])
        sig = unb64(headers[H_SIGNATURE])
        named = headers[H_STATION]
    except (KeyError, ValueError, TypeError) as exc:
        raise SanaqError("sync_request_bad", f"missing or malformed header: {exc}") from exc
    if named != station:
        raise SanaqError("sync_request_bad", f"request names station {named!r}, protocol {station!r}")
    if abs(now - when) > MAX_SKEW:
        raise SanaqError("sync_request_stale", f"request time {when}, intake time {int(now)}")
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(
            sig, request_text(method, path, body, when, station)
        )
    except (InvalidSignature, ValueError) as exc:
        raise SanaqError("sync_request_bad", "the request is not signed by the enrolled device key") from exc


@dataclass(frozen=True)
class Receipt:
    key: str  # sha256 of the delivered file bytes
    sha256: str  # the protocol's payload hash
    station: str
    contest: str
    version: int
    current: bool  # the latest version of its (station, contest) when stored
    stored_at: str  # ISO 8601 UTC
    election_hash: str
    # A file delivery (issue 15, sync2): its kind (cvr | manifest) and file name; `contest`
    # is then "" and `sha256` the file's bytes' hash. Absent for a protocol, so protocol
    # receipts keep their exact bytes.
    kind: str = "protocol"
    name: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": RECEIPT_FORMAT,
            "key": self.key,
            "sha256": self.sha256,
            "station": self.station,
            "contest": self.contest,
            "version": self.version,
            "current": self.current,
            "stored_at": self.stored_at,
            "election_hash": self.election_hash,
        }
        if self.kind != "protocol":
            out["kind"], out["name"] = self.kind, self.name
        return out

    @staticmethod
    def from_json(raw: Any) -> Receipt:
        try:
            if not isinstance(raw, dict) or raw.get("format") != RECEIPT_FORMAT:
                raise ValueError("format")
            r = Receipt(
                str(raw["key"]),
                str(raw["sha256"]),
                str(raw["station"]),
                str(raw["contest"]),
                int(raw["version"]),
                bool(raw["current"]),
                str(raw["stored_at"]),
                str(raw["election_hash"]),
                str(raw.get("kind", "protocol")),
                None if raw.get("name") is None else str(raw["name"]),
            )
            if r.to_json() != raw:
                raise ValueError("unexpected fields")
        except (KeyError, TypeError, ValueError) as exc:
            raise SanaqError("sync_receipt_bad", f"receipt: {exc}") from exc
        return r


def sign_receipt(receipt: Receipt, key: Ed25519PrivateKey) -> bytes:
    header = {"alg": JWS_ALG, "cty": RECEIPT_CTY, "kid": key_id(key.public_key())}
    protected, payload = b64(canonical(header)), b64(canonical(receipt.to_json()))
    sig = key.sign(f"{protected}.{payload}".encode("ascii"))
    return canonical({"payload": payload, "protected": protected, "signature": b64(sig)}) + b"\n"


def verify_receipt(data: bytes, trust: Trust, expected_key: str | None = None) -> Receipt:
    """A receipt signed by a trusted headquarters key, for the expected delivery."""
    try:
        jws = json.loads(data)
        if not isinstance(jws, dict) or set(jws) != {"payload", "protected", "signature"}:
            raise ValueError("not a flattened JWS")
        header = json.loads(unb64(jws["protected"]))
        payload = json.loads(unb64(jws["payload"]))
        sig = unb64(jws["signature"])
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise SanaqError("sync_receipt_bad", f"receipt: {exc}") from exc
    if not isinstance(header, dict) or header.get("cty") != RECEIPT_CTY or header.get("alg") != JWS_ALG:
        raise SanaqError("sync_receipt_bad", "receipt header")
    kid = header.get("kid")
    if not isinstance(kid, str) or kid not in trust:
        raise SanaqError("sync_receipt_bad", f"not signed by a trusted headquarters key (kid {kid!r})")
    try:
        trust[kid][0].verify(sig, f"{jws['protected']}.{jws['payload']}".encode("ascii"))
    except InvalidSignature as exc:
        raise SanaqError("sync_receipt_bad", "the receipt's signature does not verify") from exc
    receipt = Receipt.from_json(payload)
    if expected_key is not None and receipt.key != expected_key:
        raise SanaqError("sync_receipt_bad", f"receipt for {receipt.key[:12]}, not {expected_key[:12]}")
    return receipt
