"""Signed election packages: JWS (flattened JSON serialization), Ed25519 (RFC 9864 "Ed25519").

The payload is the RFC 8785 canonical JSON of the election. Its SHA-256 is the
election hash, which identifies the election on every ballot QR, record and protocol.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import ValidationError

from kiosk.election.model import PACKAGE_FORMAT, Election
from kiosk.errors import SanaqError

JWS_ALG = "Ed25519"
JWS_CTY = "sanaq.election+json"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not a string")
    pad = "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(text + pad)


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
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SanaqError("package_malformed", "not JSON") from exc
    if not isinstance(document, dict):
        raise SanaqError("package_malformed", "not a JSON object")
    if "payload" not in document:
        # A bare election document (someone skipped signing) is unsigned, not malformed.
        if "election" in document or "contests" in document:
            raise SanaqError("package_unsigned")
        raise SanaqError("package_malformed", "no payload")
    if "signature" not in document or "protected" not in document:
        raise SanaqError("package_unsigned")
    try:
        header = json.loads(b64url_decode(document["protected"]))
        payload = b64url_decode(document["payload"])
        signature = b64url_decode(document["signature"])
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise SanaqError("package_malformed", "bad base64url or header") from exc
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
    if canonical_bytes(election) != payload:
        raise SanaqError("package_invalid", "payload is not in canonical form")
    return LoadedPackage(election, hashlib.sha256(payload).hexdigest(), kid, label)


def parse_election(payload: bytes) -> Election:
    try:
        raw: Any = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SanaqError("package_malformed", "payload is not JSON") from exc
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
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SanaqError("package_invalid", "signing key is not Ed25519")
    return key


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise SanaqError("package_invalid", "headquarters key is not Ed25519")
    return key


def trust_from_pem(pem: bytes, label: str) -> dict[str, tuple[Ed25519PublicKey, str]]:
    pub = load_public_key(pem)
    return {key_id(pub): (pub, label)}
