"""Where a kiosk gets its election: a package file, or the built-in sample."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.election.package import (
    LoadedPackage,
    development_private_key,
    development_trust,
    sign_election,
    trust_from_pem,
    verify_package,
)
from kiosk.election.sample import sample_election
from kiosk.errors import SanaqError


@lru_cache(maxsize=1)
def sample_package_bytes() -> bytes:
    return sign_election(sample_election(), development_private_key())


def trust(hq_key: Path | None) -> Mapping[str, tuple[Ed25519PublicKey, str]]:
    """The pinned headquarters key; the development key when none is configured."""
    if hq_key is None:
        return development_trust()
    try:
        pem = hq_key.read_bytes()
    except OSError as exc:
        raise SanaqError("package_unknown_key", f"cannot read {hq_key}") from exc
    return trust_from_pem(pem, f"headquarters key {hq_key.name}")


def load_election(path: Path | None = None, hq_key: Path | None = None) -> LoadedPackage:
    if path is None:
        return verify_package(sample_package_bytes(), trust(hq_key))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SanaqError("package_malformed", f"cannot read {path.name}: {exc.strerror}") from exc
    return verify_package(data, trust(hq_key))
