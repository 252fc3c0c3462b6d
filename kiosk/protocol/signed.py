"""Signed protocols: a JWS JSON serialization (RFC 7515 section 7.2.1) with several Ed25519
signatures ("alg": "Ed25519", RFC 9864), and the enrolment that says whose keys count.

Chain of trust (docs/protocol.md): headquarters signs, for each station, an *enrolment*
(the election hash, the station, the kiosk's device public key and the commission roster:
member ids, roles, public keys). The enrolment travels inside every signed protocol, so a
verifier holding only the headquarters public key checks everything offline.

Every byte is fixed: payloads and protected headers are RFC 8785 canonical JSON, base64url
without padding and with no stray bits, and the file is the canonical JSON of the whole
document plus a newline. A verifier rebuilds those bytes and refuses any file that differs,
so no byte of a signed protocol can change unnoticed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.election.package import key_id
from kiosk.errors import SanaqError
from kiosk.protocol.keys import ROLES, b64, raw_public, unb64
from kiosk.protocol.model import Protocol, RatioCheck, check_ratios

JWS_ALG: Final = "Ed25519"
ENROLMENT_FORMAT: Final = "sanaq.enrolment/1"
ENROLMENT_CTY: Final = "sanaq.enrolment+json"
PROTOCOL_CTY: Final = "sanaq.protocol+json"
DEVICE: Final = "device"
REQUIRED_APPROVALS: Final = ("chair", "secretary")

Vote = Literal["approve", "dissent"]


def canonical(obj: Any) -> bytes:
    return bytes(rfc8785.dumps(obj))


def _canonical_json(data: bytes, what: str) -> Any:
    try:
        obj = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SanaqError("protocol_malformed", f"{what}: not JSON") from exc
    try:
        again = canonical(obj)
    except (TypeError, ValueError, rfc8785.CanonicalizationError) as exc:
        raise SanaqError("protocol_malformed", f"{what}: {exc}") from exc
    if again != data:
        raise SanaqError("protocol_malformed", f"{what}: not in canonical form")
    return obj


def _b64field(obj: Mapping[str, Any], name: str, what: str) -> bytes:
    try:
        return unb64(obj[name])
    except (KeyError, TypeError, ValueError) as exc:
        raise SanaqError("protocol_malformed", f"{what}.{name}: {exc}") from exc


# --- enrolment ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    id: str
    role: str
    key: bytes  # raw Ed25519 public key

    @property
    def kid(self) -> str:
        return key_id(Ed25519PublicKey.from_public_bytes(self.key))


@dataclass(frozen=True)
class Enrolment:
    election_hash: str
    station: str
    device_key: bytes
    members: tuple[Member, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": ENROLMENT_FORMAT,
            "election_hash": self.election_hash,
            "station": self.station,
            "device": b64(self.device_key),
            "members": [{"id": m.id, "role": m.role, "key": b64(m.key)} for m in self.members],
        }

    def member(self, member_id: str) -> Member | None:
        for m in self.members:
            if m.id == member_id:
                return m
        return None

    @staticmethod
    def from_json(raw: Any) -> Enrolment:
        try:
            if not isinstance(raw, dict) or raw.get("format") != ENROLMENT_FORMAT:
                raise ValueError("format")
            members = tuple(Member(str(m["id"]), str(m["role"]), unb64(m["key"])) for m in raw["members"])
            e = Enrolment(str(raw["election_hash"]), str(raw["station"]), unb64(raw["device"]), members)
            if e.to_json() != raw:
                raise ValueError("unexpected fields")
            for k in (e.device_key, *(m.key for m in members)):
                Ed25519PublicKey.from_public_bytes(k)
        except (KeyError, TypeError, ValueError) as exc:
            raise SanaqError("protocol_enrolment_bad", f"enrolment: {exc}") from exc
        ids = [m.id for m in e.members]
        keys = [m.key for m in e.members] + [e.device_key]
        if len(set(ids)) != len(ids) or len(set(keys)) != len(keys):
            raise SanaqError("protocol_enrolment_bad", "a member id or key appears twice")
        if any(m.role not in ROLES for m in e.members) or DEVICE in ids:
            raise SanaqError("protocol_enrolment_bad", "unknown role or reserved id")
        for role in REQUIRED_APPROVALS:
            if sum(m.role == role for m in e.members) != 1:
                raise SanaqError("protocol_enrolment_bad", f"the roster needs exactly one {role}")
        return e


def sign_enrolment(enrolment: Enrolment, hq_key: Ed25519PrivateKey) -> dict[str, str]:
    """Headquarters: the enrolment as a flattened JWS."""
    header = {"alg": JWS_ALG, "cty": ENROLMENT_CTY, "kid": key_id(hq_key.public_key())}
    protected, payload = b64(canonical(header)), b64(canonical(enrolment.to_json()))
    sig = hq_key.sign(f"{protected}.{payload}".encode("ascii"))
    return {"payload": payload, "protected": protected, "signature": b64(sig)}


Trust = Mapping[str, tuple[Ed25519PublicKey, str]]


def verify_enrolment(jws: Any, trust: Trust) -> Enrolment:
    if not isinstance(jws, dict) or set(jws) != {"payload", "protected", "signature"}:
        raise SanaqError("protocol_enrolment_bad", "not a flattened JWS")
    protected = _b64field(jws, "protected", "enrolment")
    payload = _b64field(jws, "payload", "enrolment")
    sig = _b64field(jws, "signature", "enrolment")
    header = _canonical_json(protected, "enrolment header")
    if not isinstance(header, dict) or header.get("alg") != JWS_ALG or header.get("cty") != ENROLMENT_CTY:
        raise SanaqError("protocol_enrolment_bad", "header")
    kid = header.get("kid")
    if not isinstance(kid, str) or kid not in trust:
        raise SanaqError("protocol_enrolment_bad", f"not signed by a trusted headquarters key (kid {kid!r})")
    try:
        trust[kid][0].verify(sig, f"{jws['protected']}.{jws['payload']}".encode("ascii"))
    except InvalidSignature as exc:
        raise SanaqError("protocol_enrolment_bad", "headquarters signature does not verify") from exc
    return Enrolment.from_json(_canonical_json(payload, "enrolment"))


# --- the signed protocol ------------------------------------------------------------------------


def signature_header(signer: str, kid: str, vote: Vote, note: str | None) -> dict[str, Any]:
    h: dict[str, Any] = {
        "alg": JWS_ALG,
        "cty": PROTOCOL_CTY,
        "kid": kid,
        "sanaq.signer": signer,
        "sanaq.vote": vote,
    }
    if note:
        h["sanaq.note"] = note
    return h


def sign(
    protocol: Protocol, signer: str, key: Ed25519PrivateKey, vote: Vote = "approve", note: str | None = None
) -> tuple[str, str]:
    """One signature: (protected, signature), both base64url. `signer` is "device" or a member id."""
    if vote == "dissent" and not note:
        raise SanaqError("protocol_dissent_reason")
    header = signature_header(signer, key_id(key.public_key()), vote, note)
    protected = b64(canonical(header))
    payload = b64(protocol.canonical())
    return protected, b64(key.sign(f"{protected}.{payload}".encode("ascii")))


def assemble(
    protocol: Protocol, signatures: Iterable[tuple[str, str]], enrolment_jws: Mapping[str, str]
) -> dict[str, Any]:
    return {
        "payload": b64(protocol.canonical()),
        "signatures": [{"protected": p, "signature": s} for p, s in signatures],
        "enrolment": dict(enrolment_jws),
    }


def to_file_bytes(document: Mapping[str, Any]) -> bytes:
    return canonical(dict(document)) + b"\n"


@dataclass(frozen=True)
class SignatureInfo:
    signer: str
    role: str
    vote: str
    note: str | None


@dataclass(frozen=True)
class Verified:
    protocol: Protocol
    digest: str  # sha256 of the canonical payload
    enrolment: Enrolment
    signatures: tuple[SignatureInfo, ...]
    ratios: tuple[RatioCheck, ...]

    def to_json(self) -> dict[str, Any]:
        p = self.protocol
        return {
            "ok": True,
            "station": p.station,
            "contest": p.contest,
            "style": p.style,
            "version": p.version,
            "replaces": p.replaces.to_json() if p.replaces else None,
            "sha256": self.digest,
            "election_hash": p.election_hash,
            "chain_head": p.chain_head,
            "signatures": [
                {"signer": s.signer, "role": s.role, "vote": s.vote, "note": s.note} for s in self.signatures
            ],
            "ratios": [r.to_json() for r in self.ratios],
            "lines": [[n, i, v] for n, i, v in p.lines],
            "commission_decided": p.commission_decided,
        }


def parse_file(data: bytes) -> dict[str, Any]:
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SanaqError("protocol_malformed", "not JSON") from exc
    if not isinstance(document, dict):
        raise SanaqError("protocol_malformed", "not a JSON object")
    try:
        again = to_file_bytes(document)
    except (TypeError, ValueError, rfc8785.CanonicalizationError) as exc:
        raise SanaqError("protocol_malformed", str(exc)) from exc
    if again != data:
        raise SanaqError("protocol_malformed", "the file is not in canonical form (changed?)")
    return document


def verify_document(document: Mapping[str, Any], trust: Trust, require_final: bool = True) -> Verified:
    """Every check that needs nothing but the headquarters key. Raises SanaqError on the first
    failure. `require_final`: the device, the chair and the secretary must all approve."""
    if set(document) != {"payload", "signatures", "enrolment"}:
        raise SanaqError("protocol_malformed", f"members {sorted(document)}")
    enrolment = verify_enrolment(document["enrolment"], trust)
    payload_bytes = _b64field(document, "payload", "protocol")
    protocol = Protocol.from_json(_canonical_json(payload_bytes, "protocol"))
    if protocol.election_hash != enrolment.election_hash or protocol.station != enrolment.station:
        raise SanaqError("protocol_enrolment_mismatch", f"station {protocol.station}")
    sigs = document["signatures"]
    if not isinstance(sigs, list) or not sigs:
        raise SanaqError("protocol_unsigned", "no signatures")
    infos: list[SignatureInfo] = []
    seen: set[str] = set()
    for n, s in enumerate(sigs):
        if not isinstance(s, dict) or set(s) != {"protected", "signature"}:
            raise SanaqError("protocol_malformed", f"signature {n}")
        header = _canonical_json(_b64field(s, "protected", f"signature {n}"), f"signature {n} header")
        sig = _b64field(s, "signature", f"signature {n}")
        if not isinstance(header, dict) or header.get("alg") != JWS_ALG or header.get("cty") != PROTOCOL_CTY:
            raise SanaqError("protocol_malformed", f"signature {n}: header")
        if set(header) - {"alg", "cty", "kid", "sanaq.signer", "sanaq.vote", "sanaq.note"}:
            raise SanaqError("protocol_malformed", f"signature {n}: unknown header fields")
        signer, vote, note = header.get("sanaq.signer"), header.get("sanaq.vote"), header.get("sanaq.note")
        if vote not in ("approve", "dissent") or (note is not None and not isinstance(note, str)):
            raise SanaqError("protocol_malformed", f"signature {n}: vote")
        if signer == DEVICE:
            role, key = DEVICE, enrolment.device_key
        else:
            member = enrolment.member(signer) if isinstance(signer, str) else None
            if member is None:
                raise SanaqError("protocol_unknown_signer", f"{signer!r} is not on the roster")
            role, key = member.role, member.key
        public = Ed25519PublicKey.from_public_bytes(key)
        if header.get("kid") != key_id(public):
            raise SanaqError("protocol_unknown_signer", f"{signer}: key is not the enrolled one")
        if signer in seen:
            raise SanaqError("protocol_malformed", f"{signer} signed twice")
        seen.add(str(signer))
        try:
            public.verify(sig, f"{s['protected']}.{document['payload']}".encode("ascii"))
        except InvalidSignature as exc:
            raise SanaqError("protocol_bad_signature", f"{signer}") from exc
        infos.append(SignatureInfo(str(signer), role, str(vote), note))
    ratios = check_ratios(protocol)
    bad = [r for r in ratios if not r.ok]
    if bad:
        raise SanaqError(
            "protocol_ratio_failed",
            "; ".join(f"{r.id}: {r.left_sum} {r.op} {r.right_sum} (difference {r.difference})" for r in bad),
        )
    if require_final:
        approved = {i.role for i in infos if i.vote == "approve"}
        missing = [r for r in (DEVICE, *REQUIRED_APPROVALS) if r not in approved]
        if missing:
            raise SanaqError("protocol_unsigned", f"no approval by {', '.join(missing)}")
    return Verified(protocol, hashlib.sha256(payload_bytes).hexdigest(), enrolment, tuple(infos), ratios)


def public_key_of(key: Ed25519PrivateKey) -> bytes:
    return raw_public(key.public_key())
