"""Signed election packages: JWS (flattened JSON serialization), Ed25519 (RFC 9864 "Ed25519").

The payload is the RFC 8785 canonical JSON of the election. Its SHA-256 is the
election hash, which identifies the election on every ballot QR, record and protocol.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import ValidationError

from kiosk.election.model import PACKAGE_FORMAT, Election
from kiosk.errors import SanaqError

JWS_ALG = "Ed25519"
JWS_CTY = "sanaq.election+json"

# Limits on outside input (issue 11). A real national package (10,000 stations) is a few
# MB; the file is refused from its size before it is read whole.
MAX_PACKAGE_BYTES = 32 * 1024 * 1024
MAX_KEY_BYTES = 16 * 1024
# The election document nests 6 deep (election.contests[].options[].name.kk); the limit
# leaves room and stops a "[[[[..." bomb before any recursive parser sees it.
MAX_JSON_DEPTH = 32
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url without padding (RFC 7515 section 2): only the 64 letters, no
    padding, no junk, and the one canonical spelling of the bytes (unused bits zero)."""
    if not isinstance(text, str):
        raise ValueError("not a string")
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError("not base64url") from exc
    if b64url(data) != text:
        raise ValueError("not canonical base64url")
    return data


_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_BRACKET_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_depth(data: bytes) -> int:
    """How deep brackets nest in a JSON text, strings left out; linear, no recursion, in C
    loops (translate, accumulate) without numpy, whose import alone cost `sanaq verify` more
    than its 100 ms budget (issue 12). 32 MB of brackets: about as fast as numpy was."""
    brackets = _STRING.sub(b'""', data).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def strict_json(data: bytes | str, what: str) -> Any:
    """JSON as the package format allows it: bounded depth, no duplicate key at any level
    (a parser that keeps the first key would see another document than one that keeps the
    last), no NaN/Infinity. Every refusal is `package_malformed`."""
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_PACKAGE_BYTES:
        raise SanaqError("package_too_large", f"{what}: {len(raw)} bytes")
    if json_depth(raw) > MAX_JSON_DEPTH:
        raise SanaqError("package_malformed", f"{what}: nested deeper than {MAX_JSON_DEPTH}")
    try:
        return json.loads(raw, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except RecursionError as exc:  # the depth check should make this unreachable
        raise SanaqError("package_malformed", f"{what}: nested too deep") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise SanaqError("package_malformed", f"{what}: {exc}") from exc


def canonical_bytes(election: Election) -> bytes:
    return rfc8785.dumps(election.model_dump(mode="json"))


def election_hash(election: Election) -> str:
    return hashlib.sha256(canonical_bytes(election)).hexdigest()


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class LoadedPackage:
    election: Election
    election_hash: str
    key_id: str
    key_label: str


def sign_election(election: Election, private_key: Ed25519PrivateKey) -> bytes:
    """The signed package file bytes (deterministic: Ed25519 signatures are)."""
    payload = canonical_bytes(election)
    header = {"alg": JWS_ALG, "cty": JWS_CTY, "kid": key_id(private_key.public_key())}
    protected = b64url(rfc8785.dumps(header))
    body = b64url(payload)
    signature = private_key.sign(f"{protected}.{body}".encode("ascii"))
    document = {"payload": body, "protected": protected, "signature": b64url(signature)}
    return (json.dumps(document, indent=1, sort_keys=True) + "\n").encode("ascii")


def verify_package(data: bytes, trusted: Mapping[str, tuple[Ed25519PublicKey, str]]) -> LoadedPackage:
    """Verify and load a package. `trusted` maps key id to (public key, label)."""
    document = strict_json(data, "package")
    if not isinstance(document, dict):
        raise SanaqError("package_malformed", "not a JSON object")
    if "payload" not in document:
        # A bare election document (someone skipped signing) is unsigned, not malformed.
        if "election" in document or "contests" in document:
            raise SanaqError("package_unsigned")
        raise SanaqError("package_malformed", "no payload")
    if "signature" not in document or "protected" not in document:
        raise SanaqError("package_unsigned")
    if set(document) - {"payload", "protected", "signature"}:
        raise SanaqError(
            "package_malformed",
            f"unknown members {sorted(set(document) - {'payload', 'protected', 'signature'})}",
        )
    try:
        protected = b64url_decode(document["protected"])
        payload = b64url_decode(document["payload"])
        signature = b64url_decode(document["signature"])
    except (ValueError, TypeError) as exc:
        raise SanaqError("package_malformed", "bad base64url") from exc
    header = strict_json(protected, "protected header")
    if not isinstance(header, dict) or header.get("alg") != JWS_ALG:
        raise SanaqError(
            "package_unsigned", f"alg {header.get('alg') if isinstance(header, dict) else None!r}"
        )
    kid = header.get("kid")
    if not isinstance(kid, str) or kid not in trusted:
        raise SanaqError("package_unknown_key", f"kid {kid!r}")
    public_key, label = trusted[kid]
    try:
        public_key.verify(signature, f"{document['protected']}.{document['payload']}".encode("ascii"))
    except InvalidSignature as exc:
        raise SanaqError("package_bad_signature") from exc
    election = parse_election(payload)
    # The signed bytes must be the canonical form, so that the hash is one per election.
    try:
        canonical = canonical_bytes(election)
    except rfc8785.CanonicalizationError as exc:  # e.g. an integer beyond 2**53 (found by attack)
        raise SanaqError("package_invalid", f"not representable in canonical JSON: {exc}"[:200]) from exc
    if canonical != payload:
        raise SanaqError("package_invalid", "payload is not in canonical form")
    return LoadedPackage(election, hashlib.sha256(payload).hexdigest(), kid, label)


def parse_election(payload: bytes) -> Election:
    raw: Any = strict_json(payload, "payload")
    if not isinstance(raw, dict):
        raise SanaqError("package_malformed", "payload is not a JSON object")
    if raw.get("format") != PACKAGE_FORMAT:
        raise SanaqError("package_unknown_version", f"format {raw.get('format')!r}")
    try:
        return Election.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise SanaqError("package_invalid", f"{where}: {first.get('msg')}") from exc


# --- keys ----------------------------------------------------------------------

DEV_KEY_LABEL = "DEVELOPMENT headquarters key - NOT FOR REAL ELECTIONS"
_DEV_SEED = hashlib.sha256(b"sanaq development headquarters key - not for real elections").digest()


def development_private_key() -> Ed25519PrivateKey:
    """The development headquarters key that signs the built-in sample. Public on purpose."""
    return Ed25519PrivateKey.from_private_bytes(_DEV_SEED)


def development_trust() -> dict[str, tuple[Ed25519PublicKey, str]]:
    pub = development_private_key().public_key()
    return {key_id(pub): (pub, DEV_KEY_LABEL)}


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise SanaqError("signing_key_invalid", "not an unencrypted PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SanaqError("signing_key_invalid", "signing key is not Ed25519")
    return key


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    if b"PRIVATE KEY-----" in pem:
        # The secret key has no business on a kiosk: say so rather than use its public half.
        raise SanaqError("hq_key_is_private")
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise SanaqError("hq_key_invalid", "not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SanaqError("hq_key_invalid", "headquarters key is not Ed25519")
    return key


def development_reason(pkg: LoadedPackage) -> str | None:
    """Why a package is not for official counting, or None when it is."""
    reasons = []
    if pkg.key_id in development_trust():
        reasons.append("signed with the DEVELOPMENT key")
    if not pkg.election.election.official:
        reasons.append("official: false")
    return "; ".join(reasons) or None


def trust_from_pem(pem: bytes, label: str) -> dict[str, tuple[Ed25519PublicKey, str]]:
    pub = load_public_key(pem)
    return {key_id(pub): (pub, label)}
