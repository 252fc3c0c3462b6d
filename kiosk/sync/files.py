"""The cast vote records and the export manifest as deliveries, where the election package
asks for them (`headquarters.deliver`, issue 15).

A file delivery is a flattened JWS signed by the station's device key, with the enrolment
(signed by headquarters) beside it, as a signed protocol carries its own:

    {"enrolment": {...}, "payload": b64(canonical(FILE)), "protected": b64(header), "signature": ...}
    FILE = {format, kind: cvr | manifest, name, election_hash, station, size, sha256, data: b64(bytes)}

so the intake checks it with nothing but the headquarters key: the enrolment, the device's
signature, the election and station, the bytes' hash and size, then the content (`cvr`: a NIST
SP 1500-103 document that passes the schema and reference checks, for this election and
station; `manifest`: the export manifest's own JWS under the same device key, naming this
election and station). Bytes are deterministic for a given count (the documents' time is the
`close` link's), so the content hash is the idempotency key as for protocols.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.errors import SanaqError
from kiosk.protocol.keys import b64, unb64
from kiosk.protocol.signed import JWS_ALG, Enrolment, Trust, canonical, verify_enrolment

FILE_FORMAT: Final = "sanaq.delivery-file/1"
FILE_CTY: Final = "sanaq.file+json"
FILE_SUFFIX: Final = ".file.jws.json"
KINDS: Final = ("cvr", "manifest")
MAX_FILE: Final = 8 << 20  # a station's CVRs: about 3 MB for 10,000 sheets


@dataclass(frozen=True)
class FileDelivery:
    kind: str
    name: str
    election_hash: str
    station: str
    data: bytes
    enrolment: Enrolment

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def wrap(
    kind: str,
    name: str,
    data: bytes,
    election_hash: str,
    station: str,
    key: Ed25519PrivateKey,
    enrolment: Any,
) -> bytes:
    """The delivery bytes of one file (canonical JSON, one line)."""
    payload = {
        "format": FILE_FORMAT,
        "kind": kind,
        "name": name,
        "election_hash": election_hash,
        "station": station,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "data": b64(data),
    }
    header = {"alg": JWS_ALG, "cty": FILE_CTY, "kid": "device"}
    protected, body = b64(canonical(header)), b64(canonical(payload))
    sig = key.sign(f"{protected}.{body}".encode("ascii"))
    doc = {"enrolment": dict(enrolment), "payload": body, "protected": protected, "signature": b64(sig)}
    return canonical(doc) + b"\n"


def is_file_delivery(body: bytes) -> bool:
    """A file delivery (else a signed protocol): told apart by its members, cheaply."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(doc, dict) and "protected" in doc and "signatures" not in doc


def unwrap(body: bytes, trust: Trust) -> FileDelivery:
    """Every check that needs only the headquarters key; SanaqError `sync_file_bad` (or the
    enrolment's own code) on the first failure. Content checks: `check_content`."""
    try:
        doc = json.loads(body)
        if not isinstance(doc, dict) or set(doc) != {"enrolment", "payload", "protected", "signature"}:
            raise ValueError("members")
        if canonical(doc) + b"\n" != body:
            raise ValueError("not in canonical form")
        header = json.loads(unb64(doc["protected"]))
        payload = json.loads(unb64(doc["payload"]))
        sig = unb64(doc["signature"])
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise SanaqError("sync_file_bad", f"file delivery: {exc}") from exc
    if header != {"alg": JWS_ALG, "cty": FILE_CTY, "kid": "device"}:
        raise SanaqError("sync_file_bad", "file delivery header")
    enrolment = verify_enrolment(doc["enrolment"], trust)
    try:
        Ed25519PublicKey.from_public_bytes(enrolment.device_key).verify(
            sig, f"{doc['protected']}.{doc['payload']}".encode("ascii")
        )
    except (InvalidSignature, ValueError) as exc:
        raise SanaqError("sync_file_bad", "not signed by the enrolled device key") from exc
    try:
        if not isinstance(payload, dict) or payload.get("format") != FILE_FORMAT:
            raise ValueError("format")
        if set(payload) != {"format", "kind", "name", "election_hash", "station", "size", "sha256", "data"}:
            raise ValueError("fields")
        kind, name = str(payload["kind"]), str(payload["name"])
        data = unb64(payload["data"])
    except (ValueError, TypeError, KeyError) as exc:
        raise SanaqError("sync_file_bad", f"file delivery payload: {exc}") from exc
    if kind not in KINDS:
        raise SanaqError("sync_file_bad", f"kind {kind!r}")
    if not (0 < len(name) <= 128 and name.isprintable() and "/" not in name):
        raise SanaqError("sync_file_bad", "file name")
    if len(data) != payload["size"] or hashlib.sha256(data).hexdigest() != payload["sha256"]:
        raise SanaqError("sync_file_bad", "size or sha256 differs from the bytes")
    if payload["election_hash"] != enrolment.election_hash or payload["station"] != enrolment.station:
        raise SanaqError("sync_file_bad", "election or station differs from the enrolment")
    return FileDelivery(kind, name, enrolment.election_hash, enrolment.station, data, enrolment)


def check_content(f: FileDelivery) -> dict[str, Any]:
    """The file's own content, for its kind; returns what the receipt may say about it."""
    if f.kind == "manifest":
        from kiosk.protocol.export import MANIFEST_FORMAT, open_manifest

        try:
            manifest = open_manifest(f.data, Ed25519PublicKey.from_public_bytes(f.enrolment.device_key))
        except SanaqError as exc:
            raise SanaqError("sync_file_bad", f"manifest: {exc.code}: {exc.detail}") from exc
        if manifest.get("format") != MANIFEST_FORMAT or not isinstance(manifest.get("files"), list):
            raise SanaqError("sync_file_bad", "manifest format")
        if manifest.get("election_hash") != f.election_hash or manifest.get("station") != f.station:
            raise SanaqError("sync_file_bad", "the manifest names another election or station")
        return {"files": len(manifest["files"])}
    from kiosk.protocol import nist

    try:
        doc = json.loads(f.data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SanaqError("sync_file_bad", f"cvr: {exc}") from exc
    if not isinstance(doc, dict):
        raise SanaqError("sync_file_bad", "cvr: not an object")
    found = nist.problems(doc, "cvr")
    if found:
        raise SanaqError("sync_file_bad", f"cvr: {found[0]}"[:300])
    records = doc.get("CVR")
    return {"records": len(records) if isinstance(records, list) else 0}


def manifest_files(manifest_bytes: bytes) -> list[dict[str, Any]]:
    """The file list of a signed export manifest (signature checked by the caller)."""
    payload = json.loads(unb64(json.loads(manifest_bytes)["payload"]))
    files = payload.get("files")
    return files if isinstance(files, list) else []


# --- the kiosk: build the deliveries of a station ------------------------------------------------


def station_files(
    data: Path, kinds: Sequence[str], enrolment_path: Path | None = None
) -> list[tuple[str, bytes]]:
    """(name, delivery bytes) for each asked kind, from the station's journal (read only),
    device key, enrolment and finalised protocols. The count must be closed with nothing
    pending or awaiting the commission (`export_*` codes otherwise)."""
    from kiosk import __version__
    from kiosk.election.load import load_election
    from kiosk.protocol import export as ex
    from kiosk.protocol.keys import load_device_key
    from kiosk.protocol.nist import ReportContext
    from kiosk.station.journal import Journal
    from kiosk.station.service import SystemClock

    kinds = [k for k in kinds if k in KINDS]
    if not kinds:
        return []
    key = load_device_key(data)
    enrolment = json.loads((enrolment_path or data / "enrolment.json").read_text())
    pkg = load_election(data / "election.json")  # its hash only; the trust is the caller's
    journal = Journal.open(data / "journal.sqlite", SystemClock())
    try:
        station = journal.meta("station")
        state = journal.state
        if state not in ("closed", "finalised", "exported", "synced"):
            raise SanaqError("export_not_allowed_now", f"official CVRs while {state}")
        tally = journal.tally("official")
        ex.check_exportable("finalised", "official", tally.contests, tally.pending)
        closed = [e["at"] for e in journal.audit_events() if e["kind"] == "close"]
        ctx = ReportContext(
            election=pkg.election,
            election_hash=pkg.election_hash,
            station_id=station,
            device_id=ex.key_id(key.public_key()),
            generated=closed[-1],
            software=f"sanaq {__version__}",
            mode="official",
        )
        files = ex.nist_files(ctx, tally.contests, tally.sheets, journal.cast_vote_records("official"))
    finally:
        journal.close()
    cvr = next(f for f in files if f.kind == "cvr")
    out: list[tuple[str, bytes]] = []
    if "cvr" in kinds:
        out.append(
            (f"cvr{FILE_SUFFIX}", wrap("cvr", cvr.name, cvr.data, pkg.election_hash, station, key, enrolment))
        )
    if "manifest" in kinds:
        files += ex.protocol_files([data / "protocols"])
        e = pkg.election.election
        name = ex.export_name(e.id, station, ctx.generated, "official")
        manifest = {
            "election": e.id,
            "election_hash": pkg.election_hash,
            "station": station,
            "mode": "official",
            "generated": ctx.generated,
            "software": ctx.software,
            "device_key": ctx.device_id,
            "format": ex.MANIFEST_FORMAT,
            "export": name,
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
        signed = ex.sign_manifest(manifest, key)
        # One manifest per set of protocols: a corrected protocol makes a new manifest.
        tag = hashlib.sha256(signed).hexdigest()[:12]
        out.append(
            (
                f"manifest-{tag}{FILE_SUFFIX}",
                wrap("manifest", ex.MANIFEST, signed, pkg.election_hash, station, key, enrolment),
            )
        )
    return out
