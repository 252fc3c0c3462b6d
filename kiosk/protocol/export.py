"""Export to a USB stick: every file atomic and read back, a signed manifest last.

Layout on the stick (docs/export.md):

    STICK/sanaq-<election>-<station>-<UTC time>[-test]/      the finished export
        results.nist-1500-100.json                          NIST SP 1500-100 results
        cvr.nist-1500-103.json                              NIST SP 1500-103 cast vote records
        protocols/*.protocol.jws.json                       the signed protocols, as given
        device.pub                                          the kiosk's public key (for enrolment checks)
        MANIFEST.jws.json                                   names, sizes, sha256; signed; written last

While being written the folder is named `<name>.partial`; it gets its final name only after
the manifest is written and everything has been read back. A folder without a valid manifest
is an incomplete export, whatever its name, and `verify_export` says so.

Each file: written under a temporary name (O_EXCL), fsync'd, renamed, the folder fsync'd, its
cached pages dropped and read back from the stick, and compared by sha256. The manifest is a
JWS (flattened JSON serialization, RFC 7515) over the RFC 8785 canonical JSON of the file
list, signed with the device key (Ed25519, `"alg": "Ed25519"` per RFC 9864).

Faults (full disk, stick pulled, read-only stick) raise a SanaqError with a stable code; the
partial folder is removed when the stick still lets us, and an export can be retried: a
retry writes a new folder (its name carries the time, with -2, -3... if taken).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.errors import SanaqError
from kiosk.protocol import nist
from kiosk.vocabulary import ErrorCode

log = logging.getLogger("sanaq.export")

MANIFEST = "MANIFEST.jws.json"
MANIFEST_FORMAT = "sanaq.export-manifest/1"
JWS_TYPE = "sanaq-export-manifest+jws"
PARTIAL = ".partial"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")

# errno -> code. Anything else is `file_unwritable`.
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
_GONE = {errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EIO, errno.ESTALE, errno.ENOTDIR, errno.ENOTCONN}


@dataclass(frozen=True)
class ExportFile:
    """One file of an export: a relative POSIX path (at most one folder deep) and its bytes."""

    name: str
    data: bytes
    kind: str  # results | cvr | protocol | device-key | image

    def __post_init__(self) -> None:
        parts = PurePosixPath(self.name).parts
        if not 1 <= len(parts) <= 2 or not all(_SAFE_NAME.match(p) for p in parts) or self.name == MANIFEST:
            raise SanaqError("export_file_unexpected", f"not a file name an export may hold: {self.name!r}")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    manifest: dict[str, Any]
    manifest_sha256: str


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    code: str | None
    problems: tuple[str, ...]
    manifest: dict[str, Any] | None = None
    files: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "code": self.code,
            "problems": list(self.problems),
            "files": self.files,
            "manifest": self.manifest,
        }


# --- keys and JWS ---------------------------------------------------------------------------------------


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(text: str) -> bytes:
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(public: Ed25519PublicKey) -> str:
    """RFC 7638 JWK thumbprint of the Ed25519 public key."""
    x = b64u(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    jwk = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True)
    return b64u(hashlib.sha256(jwk.encode()).digest())


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The device key (PKCS8 PEM). A missing or unusable key is `export_device_key_missing`."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SanaqError("export_device_key_missing", f"{path}: {exc.__class__.__name__}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SanaqError("export_device_key_missing", f"{path}: not an Ed25519 key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError, TypeError) as exc:
        raise SanaqError("export_device_key_missing", f"{path}: {exc.__class__.__name__}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SanaqError("export_device_key_missing", f"{path}: not an Ed25519 key")
    return key


def sign_manifest(manifest: dict[str, Any], key: Ed25519PrivateKey) -> bytes:
    header = {"alg": "Ed25519", "kid": key_id(key.public_key()), "typ": JWS_TYPE}
    protected = b64u(rfc8785.dumps(header))
    payload = b64u(rfc8785.dumps(manifest))
    signature = key.sign(f"{protected}.{payload}".encode("ascii"))
    return rfc8785.dumps({"payload": payload, "protected": protected, "signature": b64u(signature)})


def open_manifest(data: bytes, public: Ed25519PublicKey) -> dict[str, Any]:
    """The manifest if `data` is a JWS over it by `public`'s key; else a SanaqError with a code."""
    try:
        jws = json.loads(data)
        header = json.loads(b64u_decode(jws["protected"]))
        payload_b64, signature = jws["payload"], b64u_decode(jws["signature"])
        manifest = json.loads(b64u_decode(payload_b64))
        if set(jws) != {"payload", "protected", "signature"} or not isinstance(manifest, dict):
            raise ValueError("unexpected members")
    except (ValueError, KeyError, TypeError) as exc:
        raise SanaqError("export_bad_signature", f"the manifest is not a JWS: {exc}") from exc
    if (
        header.get("alg") != "Ed25519"
        or header.get("typ") != JWS_TYPE
        or set(header) != {"alg", "kid", "typ"}
    ):
        raise SanaqError("export_bad_signature", f"unexpected JWS header {header}")
    if header.get("kid") != key_id(public):
        raise SanaqError("export_wrong_key", f"signed by key {header.get('kid')}, expected {key_id(public)}")
    try:
        public.verify(signature, f"{jws['protected']}.{payload_b64}".encode("ascii"))
    except InvalidSignature as exc:
        raise SanaqError("export_bad_signature", "the manifest's signature does not match") from exc
    # attack6: every byte fixed, as the writer makes them (RFC 8785). JSON with a key twice
    # ("files" listing other files first) read one way here (the last wins) and another way by a
    # verifier that keeps the first, under one valid signature by whoever holds the device key.
    if (
        b64u_decode(payload_b64) != rfc8785.dumps(manifest)
        or b64u_decode(jws["protected"]) != rfc8785.dumps(header)
        or data.rstrip(b"\n") != rfc8785.dumps(jws)
    ):
        raise SanaqError("export_bad_signature", "the manifest is not in canonical form (a key twice?)")
    return manifest


# --- durable file operations --------------------------------------------------------------------------------


def _fault(exc: OSError, what: str) -> SanaqError:
    code: ErrorCode = (
        "export_disk_full"
        if exc.errno in _DISK_FULL
        else "export_stick_readonly"
        if exc.errno in _READ_ONLY
        else "export_stick_gone"
        if exc.errno in _GONE
        else "file_unwritable"
    )
    return SanaqError(code, f"{what}: {exc.strerror or exc}")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_from_device(path: Path) -> bytes:
    """Read a file after asking the kernel to drop its cached pages, so that what is compared is
    what the stick holds (on media that keep no page cache of their own, e.g. tmpfs, the same)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def write_atomic(folder: Path, name: str, data: bytes) -> None:
    """Temporary name, fsync, rename, fsync the folder, read back and compare."""
    dest = folder / name
    tmp = dest.with_name(f".{dest.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        _unlink_quietly(tmp)
        raise
    os.close(fd)
    os.rename(tmp, dest)
    _fsync_dir(dest.parent)
    back = read_from_device(dest)
    if hashlib.sha256(back).digest() != hashlib.sha256(data).digest():
        raise SanaqError("export_readback_failed", f"{name}: the stick gave back other bytes")


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


# --- export --------------------------------------------------------------------------------------------------


@dataclass
class Exporter:
    """Writes one export to a stick. `after_file` is called after each file is durable (tests
    use it to pull the stick mid-way)."""

    key: Ed25519PrivateKey
    after_file: Callable[[str], None] | None = None
    removed_partials: list[Path] = field(default_factory=list)

    def export(
        self,
        stick: Path,
        name: str,
        files: Sequence[ExportFile],
        meta: dict[str, Any],
        stale_prefix: str | None = None,
    ) -> ExportResult:
        if not _SAFE_NAME.match(name) or name.endswith(PARTIAL):
            raise SanaqError("export_file_unexpected", f"not an export folder name: {name!r}")
        names = [f.name for f in files]
        if len(set(names)) != len(names):
            raise SanaqError("export_file_unexpected", "two files with the same name")
        if not stick.is_dir():
            raise SanaqError("export_stick_gone", f"{stick} is not a mounted folder")
        final = _free_name(stick, name)
        partial = stick / (final.name + PARTIAL)
        try:
            if stale_prefix:
                self._remove_stale_partials(stick, stale_prefix)
            os.mkdir(partial, 0o755)
            _fsync_dir(stick)
            for folder in sorted({PurePosixPath(n).parent for n in names} - {PurePosixPath(".")}):
                os.mkdir(partial / folder, 0o755)
                _fsync_dir(partial)
            for f in sorted(files, key=lambda f: f.name):
                write_atomic(partial, f.name, f.data)
                if self.after_file is not None:
                    self.after_file(f.name)
            manifest = {
                **meta,
                "format": MANIFEST_FORMAT,
                "export": final.name,
                "files": [
                    {
                        "name": f.name,
                        "kind": f.kind,
                        "size": len(f.data),
                        "sha256": hashlib.sha256(f.data).hexdigest(),
                    }
                    for f in sorted(files, key=lambda f: f.name)
                ],
            }
            signed = sign_manifest(manifest, self.key)
            write_atomic(partial, MANIFEST, signed)
            if self.after_file is not None:
                self.after_file(MANIFEST)
            os.rename(partial, final)
            _fsync_dir(stick)
        except OSError as exc:
            self._abandon(partial)
            raise _fault(exc, str(partial)) from exc
        except SanaqError:
            self._abandon(partial)
            raise
        # Read the finished export back from the stick as a verifier would.
        check = verify_export(final, self.key.public_key())
        if not check.ok:
            if check.code == "export_stick_gone":
                raise SanaqError("export_stick_gone", "; ".join(check.problems[:3]))
            _rename_quietly(final, final.with_name(final.name + ".failed"))
            raise SanaqError("export_readback_failed", "; ".join(check.problems[:3]))
        log.info("export written: %s (%d files)", final.name, len(files))
        return ExportResult(final, manifest, hashlib.sha256(signed).hexdigest())

    def _abandon(self, partial: Path) -> None:
        """Remove what this attempt wrote, if the stick still lets us; a folder that stays is
        named `.partial` and has no manifest: visibly incomplete either way."""
        shutil.rmtree(partial, ignore_errors=True)
        if not partial.exists():
            self.removed_partials.append(partial)
        with contextlib.suppress(OSError):
            _fsync_dir(partial.parent)

    def _remove_stale_partials(self, stick: Path, prefix: str) -> None:
        """Leftovers of earlier attempts of this station's exports (a power cut, a pulled stick):
        never valid, manifest or not, since the rename that finishes an export did not happen."""
        for old in stick.glob(f"{glob_escape(prefix)}*{PARTIAL}"):
            if old.is_dir() and not old.is_symlink():  # never follow a link off the stick
                shutil.rmtree(old, ignore_errors=True)
                self.removed_partials.append(old)


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _free_name(stick: Path, name: str) -> Path:
    """Never overwrite an earlier export: add -2, -3... when the name is taken."""
    candidate, k = stick / name, 1
    while candidate.exists() or (stick / (candidate.name + PARTIAL)).exists():
        k += 1
        candidate = stick / f"{name}-{k}"
    return candidate


def _rename_quietly(src: Path, dst: Path) -> None:
    with contextlib.suppress(OSError):
        os.rename(src, dst)


# --- verify --------------------------------------------------------------------------------------------------


MAX_MANIFEST = 1 << 20  # attack6: a manifest is a few kB; a bigger one is not read whole


def verify_export(folder: Path, public: Ed25519PublicKey) -> VerifyResult:
    """The manifest's signature against `public`, then every file's size and sha256, and no file
    that the manifest does not list. The first problem's code is the result's code."""
    problems: list[tuple[str, str]] = []
    if not folder.is_dir():
        return VerifyResult(False, "export_stick_gone", (f"{folder} is not a folder",))
    # attack6: only plain files and folders, nothing followed. A link to a folder off the stick
    # was neither followed nor reported: a `protocols` link to a folder holding one more
    # protocol than the manifest lists verified as complete; a file could be a link too, and a
    # FIFO named as the manifest kept `verify` waiting for ever.
    odd = _not_plain(folder)
    if MANIFEST in odd:
        return VerifyResult(False, "export_not_plain_file", (f"{MANIFEST}: a link or a special file",))
    try:
        if os.lstat(folder / MANIFEST).st_size > MAX_MANIFEST:
            return VerifyResult(
                False, "export_bad_signature", (f"{MANIFEST}: larger than {MAX_MANIFEST} bytes",)
            )
        data = read_from_device(folder / MANIFEST)
    except FileNotFoundError:
        return VerifyResult(
            False, "export_incomplete", (f"{folder.name}: no {MANIFEST}: the export is not complete",)
        )
    except OSError as exc:
        err = _fault(exc, MANIFEST)
        return VerifyResult(False, err.code, (err.detail,))
    try:
        manifest = open_manifest(data, public)
    except SanaqError as exc:
        return VerifyResult(False, exc.code, (exc.detail,))
    if manifest.get("format") != MANIFEST_FORMAT or not isinstance(manifest.get("files"), list):
        return VerifyResult(False, "export_bad_signature", ("the manifest has an unknown format",), manifest)
    if folder.name.endswith(PARTIAL):
        problems.append(("export_incomplete", f"{folder.name}: the export was not finished"))
    elif manifest.get("export") != folder.name:
        problems.append(("export_file_changed", f"the folder was renamed from {manifest.get('export')!r}"))
    problems += [("export_not_plain_file", f"{rel}: a link or a special file") for rel in sorted(odd)]
    listed: set[str] = set()
    for entry in manifest["files"]:
        if not isinstance(entry, dict):
            problems.append(("export_bad_signature", "a manifest entry is not an object"))
            continue
        name = str(entry.get("name"))
        listed.add(name)
        problem = _check_listed(folder, name, entry, odd)
        if problem is not None:
            problems.append(problem)
    for path in sorted(p for p in folder.rglob("*") if not p.is_dir()):
        rel = path.relative_to(folder).as_posix()
        if rel != MANIFEST and rel not in listed and rel not in odd:
            problems.append(("export_file_unexpected", f"{rel}: not in the manifest"))
    if problems:
        return VerifyResult(False, problems[0][0], tuple(p for _, p in problems), manifest, len(listed))
    return VerifyResult(True, None, (), manifest, len(listed))


def _check_listed(folder: Path, name: str, entry: dict[str, Any], odd: set[str]) -> tuple[str, str] | None:
    """One file the manifest lists: its size (from the file system first, so a huge file is not
    read whole: attack6) and sha256; None when it is as listed."""
    if ".." in PurePosixPath(name).parts or PurePosixPath(name).is_absolute():
        return ("export_bad_signature", f"{name}: not a relative name")
    if name in odd or any(str(parent) in odd for parent in PurePosixPath(name).parents):
        return None  # reported as a link or a special file; never read through it
    path = folder / name
    try:
        if os.lstat(path).st_size != entry.get("size"):
            return ("export_file_changed", f"{name}: size differs from the manifest")
        got = read_from_device(path)
    except FileNotFoundError:
        return ("export_file_missing", f"{name}: missing")
    except OSError as exc:
        err = _fault(exc, name)
        return (err.code, err.detail)
    if len(got) != entry.get("size") or hashlib.sha256(got).hexdigest() != entry.get("sha256"):
        return ("export_file_changed", f"{name}: size or sha256 differs from the manifest")
    return None


def _not_plain(folder: Path) -> set[str]:
    """Every entry under `folder` (relative, POSIX) that is neither a plain file nor a plain
    folder: links (to files or folders, followed by nothing here), FIFOs, devices, sockets. The
    writer makes none of them (attack6)."""
    odd: set[str] = set()
    for root, dirs, files in os.walk(folder, followlinks=False):
        for entry in (*dirs, *files):
            path = Path(root) / entry
            mode = os.lstat(path).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                odd.add(path.relative_to(folder).as_posix())
    return odd


# --- what a station exports ------------------------------------------------------------------------------------

RESULTS_FILE = "results.nist-1500-100.json"
CVR_FILE = "cvr.nist-1500-103.json"
DEVICE_PUB_FILE = "device.pub"
PROTOCOL_SUFFIX = ".protocol.jws.json"
# Official results leave the kiosk once the protocol is finalised; test results while testing
# (leaving test mode deletes them).
EXPORT_STATES: dict[str, frozenset[str]] = {
    "official": frozenset({"finalised", "exported", "synced"}),
    "test": frozenset({"testing"}),
}


def export_name(election_id: str, station_id: str, generated: str, mode: str) -> str:
    """sanaq-<election>-<station>-<YYYYmmddTHHMMSSZ>[-test]: several exports never collide."""
    when = dt.datetime.fromisoformat(generated).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"sanaq-{election_id}-{station_id}-{when}" + ("-test" if mode == "test" else "")


def check_exportable(state: str, mode: str, contests: dict[str, dict[str, int]], pending: int) -> None:
    if state not in EXPORT_STATES[mode]:
        raise SanaqError("export_not_allowed_now", f"{mode} export while {state}")
    review = sum(keys.get("review", 0) for keys in contests.values())
    if pending or review:
        raise SanaqError(
            "export_count_incomplete", f"{pending} sheet(s) pending, {review} awaiting the commission"
        )


def _json_bytes(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=1).encode() + b"\n"


def nist_files(
    ctx: nist.ReportContext,
    contests: dict[str, dict[str, int]],
    sheets: int,
    records: Iterable[dict[str, Any]],
) -> list[ExportFile]:
    """Both NIST documents, each validated against its schema with every id reference resolved,
    and cross-checked: the CVRs add up to the journal's tally, and so does the results file."""
    try:
        results = nist.results_report(ctx, contests, sheets)
        cvrs = nist.cvr_report(ctx, records)
    except (KeyError, ValueError, TypeError) as exc:
        # A record naming a contest, option or style the package does not have.
        raise SanaqError(
            "export_nist_invalid", f"a record does not fit the election package: {exc!r}"
        ) from exc
    found = [f"results: {p}" for p in nist.problems(results, "err")]
    found += [f"cvr: {p}" for p in nist.problems(cvrs, "cvr")]
    expected = {c: {k: n for k, n in keys.items() if n} for c, keys in contests.items()}
    expected = {c: keys for c, keys in expected.items() if keys}
    try:
        from_cvrs = nist.tally_from_cvrs(cvrs)
    except (KeyError, ValueError, StopIteration) as exc:
        raise SanaqError("export_nist_invalid", f"cvr: {exc!r}") from exc
    from_results = {c: keys for c, keys in nist.tally_from_results(results).items() if keys}
    if from_cvrs != expected:
        found.append("cvr: the cast vote records do not add up to the journal's tally")
    if from_results != expected:
        found.append("results: the results do not match the journal's tally")
    if len(cvrs["CVR"]) != sheets:
        found.append(f"cvr: {len(cvrs['CVR'])} records for {sheets} sheets")
    if found:
        raise SanaqError("export_nist_invalid", "; ".join(found[:5]))
    return [
        ExportFile(RESULTS_FILE, _json_bytes(results), "results"),
        ExportFile(CVR_FILE, _json_bytes(cvrs), "cvr"),
    ]


def protocol_files(paths: Sequence[Path]) -> list[ExportFile]:
    """Signed protocols (`*.protocol.jws.json`), copied as they are: a folder gives all of its own."""
    out: list[ExportFile] = []
    for path in paths:
        found = sorted(path.glob(f"*{PROTOCOL_SUFFIX}")) if path.is_dir() else [path]
        for p in found:
            if not p.name.endswith(PROTOCOL_SUFFIX):
                raise SanaqError(
                    "export_file_unexpected", f"{p.name}: a signed protocol is *{PROTOCOL_SUFFIX}"
                )
            try:
                data = p.read_bytes()
            except OSError as exc:
                raise SanaqError("file_unreadable", f"{p}: {exc.strerror}") from exc
            out.append(ExportFile(f"protocols/{p.name}", data, "protocol"))
    return out
