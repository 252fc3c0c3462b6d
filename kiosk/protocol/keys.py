"""Keys that sign a protocol: the kiosk's device key and each commission member's key.

The device key is made at `station init` (DATA/device.key, PKCS8 PEM, mode 0600); it is
only read here. A member's key is generated on the kiosk for that member and written only
encrypted: scrypt(PIN) -> ChaCha20-Poly1305, file mode 0600, created exclusively. PIN
attempts are counted in the journal database (`ProtocolStore`); after MAX_PIN_ATTEMPTS
failures in a row the member is locked out and the lock-out is recorded.

A PIN is a short secret: scrypt only slows guessing. Someone who copies the key file off
the kiosk can try every 6-digit PIN offline (about a day on one core at these
parameters); the file's mode, the kiosk's disk and the short life of the key (one
election) are the protection, and a member may choose a longer passphrase.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from kiosk.errors import SanaqError
from kiosk.protocol.store import ProtocolStore

KEY_FORMAT: Final = "sanaq.member-key/1"
SCRYPT_N: Final = 2**15
SCRYPT_R: Final = 8
SCRYPT_P: Final = 1
MIN_PIN: Final = 6
MAX_PIN_ATTEMPTS: Final = 5
MEMBER_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,31}$")
ROLES: Final = ("chair", "secretary", "member")
# issue 14 (kiosk3): a technician's sign-in key is made and unlocked as a member's is; the
# technician is never on the enrolment (ROLES), see kiosk/ui/technicians.py.
KEY_ROLES: Final = (*ROLES, "technician")
PIN_LOCK: Final = ".pin-lock"  # attack6: one PIN attempt at a time (unlock_member_key)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64(data) != text:
        raise ValueError("base64url is not canonical")
    return data


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _write_private(path: Path, data: bytes) -> None:
    """Create `path` with mode 0600, never replacing an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise SanaqError("member_key_exists", str(path)) from exc
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


# --- device key ---------------------------------------------------------------------------


def load_device_key(data: Path) -> Ed25519PrivateKey:
    path = data / "device.key"
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise SanaqError("device_key_missing", str(path)) from exc
    if path.stat().st_mode & 0o077:
        raise SanaqError("device_key_missing", f"{path} is readable by others (mode must be 0600)")
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except ValueError as exc:
        raise SanaqError("device_key_missing", f"{path}: not a PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SanaqError("device_key_missing", f"{path}: not Ed25519")
    return key


# --- member keys -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberKeyFile:
    member: str
    role: str
    public: bytes  # raw 32 bytes

    @property
    def public_key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.public)


def _kdf(salt: bytes, pin: str) -> bytes:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(pin.encode("utf-8"))


def _aad(member: str, role: str, public: bytes) -> bytes:
    return f"{KEY_FORMAT}|{member}|{role}|".encode() + public


def member_key_path(data: Path, member: str) -> Path:
    return data / "members" / f"{member}.key"


def create_member_key(data: Path, member: str, role: str, pin: str) -> MemberKeyFile:
    """Generate a member's key and write it encrypted under the PIN. Returns the public part."""
    if not MEMBER_ID.match(member):
        raise SanaqError("member_unknown", f"bad member id {member!r}")
    if role not in KEY_ROLES:
        raise SanaqError("member_unknown", f"bad role {role!r}")
    if len(pin) < MIN_PIN:
        raise SanaqError("member_pin_weak", f"at least {MIN_PIN} characters")
    key = Ed25519PrivateKey.generate()
    public = raw_public(key.public_key())
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    ct = ChaCha20Poly1305(_kdf(salt, pin)).encrypt(nonce, raw, _aad(member, role, public))
    doc = {
        "format": KEY_FORMAT,
        "member": member,
        "role": role,
        "public": b64(public),
        "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": b64(salt)},
        "aead": "chacha20-poly1305",
        "nonce": b64(nonce),
        "ciphertext": b64(ct),
    }
    _write_private(member_key_path(data, member), (json.dumps(doc, indent=1) + "\n").encode())
    return MemberKeyFile(member, role, public)


def _read(data: Path, member: str) -> dict[str, object]:
    if not MEMBER_ID.match(member):
        raise SanaqError("member_unknown", f"bad member id {member!r}")
    path = member_key_path(data, member)
    try:
        doc = json.loads(path.read_bytes())
    except FileNotFoundError as exc:
        raise SanaqError("member_unknown", member) from exc
    except (OSError, ValueError) as exc:
        raise SanaqError("member_key_corrupt", f"{path}: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != KEY_FORMAT or doc.get("member") != member:
        raise SanaqError("member_key_corrupt", str(path))
    return doc


def member_public(data: Path, member: str) -> MemberKeyFile:
    doc = _read(data, member)
    try:
        return MemberKeyFile(member, str(doc["role"]), unb64(str(doc["public"])))
    except (KeyError, ValueError) as exc:
        raise SanaqError("member_key_corrupt", member) from exc


def unlock_member_key(data: Path, member: str, pin: str, store: ProtocolStore) -> Ed25519PrivateKey:
    """The member's private key, if the PIN is right and the member is not locked out.
    Every failure is recorded; the MAX_PIN_ATTEMPTS-th in a row locks the member out.

    attack6: attempts are taken one at a time across processes (`_pin_lock`): ten processes
    started together each read "no failure yet", each tried its PIN, and the tenth, the
    right one, unlocked the key after nine wrong ones with no lock-out
    (tests/test_attack6.py)."""
    fd = _pin_lock(data)
    try:
        return _unlock_member_key(data, member, pin, store)
    finally:
        os.close(fd)


def _pin_lock(data: Path) -> int:
    """An exclusive `flock` on DATA/members/.pin-lock, waited for (an attempt takes a fraction of
    a second): the lock-out check, the key derivation and the recorded outcome of one attempt
    happen before the next attempt reads the count."""
    path = data / "members" / PIN_LOCK
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    except FileNotFoundError as exc:
        raise SanaqError("member_unknown", f"{data / 'members'}: no member keys") from exc
    except OSError as exc:
        raise SanaqError("journal_unwritable", f"{path}: {exc.strerror}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError as exc:
        os.close(fd)
        raise SanaqError("journal_unwritable", f"{path}: {exc.strerror}") from exc
    return fd


def _unlock_member_key(data: Path, member: str, pin: str, store: ProtocolStore) -> Ed25519PrivateKey:
    if store.locked(member):
        raise SanaqError("member_locked", member)
    doc = _read(data, member)
    try:
        kdf = doc["kdf"]
        assert isinstance(kdf, dict)
        if kdf.get("name") != "scrypt" or (kdf["n"], kdf["r"], kdf["p"]) != (SCRYPT_N, SCRYPT_R, SCRYPT_P):
            raise ValueError("unexpected kdf parameters")
        salt, nonce = unb64(str(kdf["salt"])), unb64(str(doc["nonce"]))
        ct, public, role = unb64(str(doc["ciphertext"])), unb64(str(doc["public"])), str(doc["role"])
    except (KeyError, ValueError, AssertionError) as exc:
        raise SanaqError("member_key_corrupt", f"{member}: {exc}") from exc
    try:
        raw = ChaCha20Poly1305(_kdf(salt, pin)).decrypt(nonce, ct, _aad(member, role, public))
    except InvalidTag:
        failures = store.pin_failures(member) + 1
        store.audit("pin_failed", member, {"attempt": failures})
        if failures >= MAX_PIN_ATTEMPTS:
            store.audit("pin_locked", member, {"after": failures})
            raise SanaqError("member_locked", f"{member}: {failures} wrong PINs") from None
        raise SanaqError("member_pin_wrong", f"{MAX_PIN_ATTEMPTS - failures} attempts left") from None
    key = Ed25519PrivateKey.from_private_bytes(raw)
    if raw_public(key.public_key()) != public:
        raise SanaqError("member_key_corrupt", member)
    store.audit("pin_ok", member, {})
    return key
