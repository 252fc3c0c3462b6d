"""Where a kiosk gets its election: a package file, or the built-in sample."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.election.package import (
    MAX_KEY_BYTES,
    MAX_PACKAGE_BYTES,
    LoadedPackage,
    development_private_key,
    development_trust,
    sign_election,
    trust_from_pem,
    verify_package,
)
from kiosk.election.sample import sample_election
from kiosk.errors import SanaqError
from kiosk.vocabulary import ErrorCode


@lru_cache(maxsize=2)
def sample_package_bytes(logic_and_accuracy_required: bool = False) -> bytes:
    """The built-in sample package (DEVELOPMENT key); see `sample_election` for the flag."""
    return sign_election(sample_election(logic_and_accuracy_required), development_private_key())


def trust(hq_key: Path | None) -> Mapping[str, tuple[Ed25519PublicKey, str]]:
    """The pinned headquarters key; the development key when none is configured."""
    if hq_key is None:
        return development_trust()
    try:
        pem = read_bounded(hq_key, MAX_KEY_BYTES)
    except OSError as exc:
        raise SanaqError("hq_key_invalid", f"cannot read {hq_key}: {exc.strerror}") from exc
    except ValueError as exc:
        raise SanaqError("hq_key_invalid", f"{hq_key.name}: {exc}") from exc
    return trust_from_pem(pem, f"headquarters key {hq_key.name}")


def read_bounded(path: Path, limit: int) -> bytes:
    """A regular file's bytes, refused from its size before it is read whole (and read with
    a bound, in case it grows meanwhile). ValueError when it is not a regular file or too big;
    OSError when it cannot be read."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("not a regular file")
        if st.st_size > limit:
            raise ValueError(f"{st.st_size} bytes, more than {limit}")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise ValueError(f"more than {limit} bytes")
    return data


def read_package_file(path: Path) -> bytes:
    try:
        return read_bounded(path, MAX_PACKAGE_BYTES)
    except OSError as exc:
        raise SanaqError("package_malformed", f"cannot read {path.name}: {exc.strerror}") from exc
    except ValueError as exc:
        code: ErrorCode = "package_too_large" if "bytes" in str(exc) else "package_malformed"
        raise SanaqError(code, f"{path.name}: {exc}") from exc


def load_election(path: Path | None = None, hq_key: Path | None = None) -> LoadedPackage:
    if path is None:
        return verify_package(sample_package_bytes(), trust(hq_key))
    return verify_package(read_package_file(path), trust(hq_key))
