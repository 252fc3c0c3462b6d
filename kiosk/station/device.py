"""The kiosk's device key: Ed25519, generated on the machine at `station init`.

    DATA/device.key   PKCS8 PEM, unencrypted, mode 0600
    DATA/device.pub   SubjectPublicKeyInfo PEM

It signs the journal's checkpoints and its head (and the protocol). Its id, printed on the
zero report, ties the paper to the key: a journal re-signed with another key disagrees with
the paper the commission holds. The key sits on the kiosk's disk, so whoever holds the data
directory holds the key too; what it proves to that person is nothing, and to anyone with a
copy of the journal alone (the USB mirror, an auditor's copy) it proves the station wrote it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.errors import SanaqError
from kiosk.vocabulary import ErrorCode

KEY_FILE = "device.key"
PUB_FILE = "device.pub"


def raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def device_key_id(public_key: Ed25519PublicKey) -> str:
    """Hex of the first 8 bytes of sha256 of the raw public key."""
    return hashlib.sha256(raw_public(public_key)).digest()[:8].hex()


def public_from_hex(raw_hex: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(raw_hex))


def verify_signature(public_key: Ed25519PublicKey, signature_hex: str | None, message: bytes) -> bool:
    if not signature_hex:
        return False
    try:
        public_key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def load_device_key(data_dir: Path) -> Ed25519PrivateKey | None:
    """The key if the directory holds one (an auditor's copy may not)."""
    path = data_dir / KEY_FILE
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SanaqError("device_key_invalid", f"{path}: {exc}") from exc
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise SanaqError("device_key_invalid", str(path)) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SanaqError("device_key_invalid", f"{path}: not an Ed25519 key")
    return key


def load_or_create_device_key(data_dir: Path) -> Ed25519PrivateKey:
    """Load DATA/device.key, or generate it (and DATA/device.pub) on this machine.

    Written to temporary names, synced, then renamed: a power cut leaves either no key or a
    whole one, never half a key."""
    key = load_device_key(data_dir)
    if key is not None:
        return key
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pub = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    try:
        _write_atomic(data_dir / PUB_FILE, pub, 0o644)
        _write_atomic(data_dir / KEY_FILE, pem, 0o600)
    except OSError as exc:
        for name in (KEY_FILE, PUB_FILE):
            (data_dir / name).unlink(missing_ok=True)
        code: ErrorCode = "journal_disk_full" if getattr(exc, "errno", None) == 28 else "journal_unwritable"
        raise SanaqError(code, f"device key: {exc}") from exc
    return key


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
