"""The audit chain, its signed checkpoints and head, and the verifier.

Every event is a link `sha256(prev, session, time, kind, role, detail)`. Sheet events carry
no time and name neither the sheet nor its votes. Checkpoints (at every lifecycle change and
commission decision) and reports are signed with the device key (`sig`), and so is the
chain's last link after every commit (table `head`): cutting the tail of the chain, adding
a lifecycle step, or recomputing the chain needs the key. The head's short code is printed
on the zero report, every pause/resume slip and the closing report, so a journal rolled
back or rewritten with the key disagrees with the paper the commission holds.

A checkpoint commits to the count of records per mode and, blinded, to their multiset hash
and the counters: `commit = sha256(acc, counters, blind)` with a random `blind` kept in meta
only until the next sheet changes anything, then overwritten. Unblinded, two checkpoints
taken around one voter (a pause and a resume) would differ by exactly that voter's record
and vote; blinded, only the last checkpoint can be opened, and only while it still equals
the records on disk (see docs/station.md).
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.station.device import device_key_id, public_from_hex, verify_signature
from kiosk.station.store import accumulate, canonical, counters_digest, meta_value, record_hash

GENESIS = "0" * 64
LIFECYCLE_KINDS = frozenset(
    {"configure", "start_test", "end_test", "open", "pause", "resume", "close", "finalise", "export", "sync"}
)


def link_hash(prev: str, session: int, at: str | None, kind: str, role: str | None, detail: Any) -> str:
    return hashlib.sha256(canonical([prev, session, at, kind, role, detail])).hexdigest()


def chain_code(head: str) -> str:
    """A short human code of a chain head: 4 groups of 4 base32 characters (80 bits)."""
    text = base64.b32encode(bytes.fromhex(head)[:10]).decode()
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def head_of(conn: sqlite3.Connection) -> tuple[int, str]:
    row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def append_link(
    conn: sqlite3.Connection,
    kind: str,
    role: str | None,
    detail: dict[str, Any],
    at: str | None,
    key: Ed25519PrivateKey | None = None,
) -> str:
    """Append one link inside the open transaction; sign it when `key` is given."""
    _, prev = head_of(conn)
    session = int(meta_value(conn, "session") or 0)
    digest = link_hash(prev, session, at, kind, role, detail)
    sig = key.sign(bytes.fromhex(digest)).hex() if key is not None else None
    conn.execute(
        "INSERT INTO audit (session, at, kind, role, detail, prev, hash, sig) VALUES (?,?,?,?,?,?,?,?)",
        (session, at, kind, role, canonical(detail).decode(), prev, digest, sig),
    )
    return digest


def sign_head(conn: sqlite3.Connection, key: Ed25519PrivateKey) -> None:
    seq, digest = head_of(conn)
    message = _head_message(seq, digest)
    conn.execute(
        "INSERT INTO head VALUES (1, ?, ?, ?) ON CONFLICT (one) DO UPDATE SET seq=excluded.seq, "
        "hash=excluded.hash, sig=excluded.sig",
        (seq, digest, key.sign(message).hex()),
    )


def _head_message(seq: int, digest: str) -> bytes:
    return b"sanaq-journal-head\0" + str(seq).encode() + b"\0" + bytes.fromhex(digest)


NO_BLIND = "0" * 64


def blinded_commit(conn: sqlite3.Connection, blind: str) -> str:
    count, acc = accumulate(conn)
    return hashlib.sha256(canonical([count, f"{acc:064x}", counters_digest(conn), blind])).hexdigest()


def checkpoint_detail(conn: sqlite3.Connection, why: str, blind: str) -> dict[str, Any]:
    """What a checkpoint commits to; `blind` is stored in meta by the caller, same size as
    the value it replaces so that the old one is overwritten in place."""
    per_mode = dict(conn.execute("SELECT mode, COUNT(*) FROM sheets GROUP BY mode").fetchall())
    return {
        "why": why,
        "records": sum(per_mode.values()),
        "official": per_mode.get("official", 0),
        "test": per_mode.get("test", 0),
        "commit": blinded_commit(conn, blind),
    }


def last_lifecycle_state(conn: sqlite3.Connection) -> str | None:
    for kind, detail in conn.execute(
        f"SELECT kind, detail FROM audit WHERE kind IN ({','.join('?' * len(LIFECYCLE_KINDS))}) "
        "ORDER BY seq DESC LIMIT 1",
        sorted(LIFECYCLE_KINDS),
    ):
        return "configured" if kind == "configure" else str(json.loads(detail).get("to"))
    return None


def configuration(conn: sqlite3.Connection) -> dict[str, Any] | None:
    """The configure link (the first), if its own hash holds."""
    row = conn.execute("SELECT session, at, kind, role, detail, prev, hash FROM audit WHERE seq=1").fetchone()
    if row is None or row[2] != "configure":
        return None
    session, at, kind, role, detail, prev, digest = row
    parsed = json.loads(detail)
    if prev != GENESIS or link_hash(prev, session, at, kind, role, parsed) != digest:
        return None
    # The configure link is not signed itself: rehashing it alone (a mirror set to null, or
    # pointed at a decoy) kept its own hash true. It holds only as the start of a chain
    # whose every link follows from it up to the head signed by the key it names.
    if not _chain_reaches_signed_head(conn, parsed):
        return None
    return dict(parsed)


def _chain_reaches_signed_head(conn: sqlite3.Connection, config: dict[str, Any]) -> bool:
    try:
        public = public_from_hex(str(config.get("device_key", "")))
    except ValueError:
        return False
    prev, n = GENESIS, 0
    for seq, session, at, kind, role, detail, link_prev, digest in conn.execute(
        "SELECT seq, session, at, kind, role, detail, prev, hash FROM audit ORDER BY seq"
    ):
        n += 1
        if seq != n or link_prev != prev:
            return False
        if link_hash(link_prev, session, at, kind, role, json.loads(detail)) != digest:
            return False
        prev = digest
    head = conn.execute("SELECT seq, hash, sig FROM head WHERE one=1").fetchone()
    if head is None or (head[0], head[1]) != (n, prev):
        return False
    return verify_signature(public, head[2], _head_message(head[0], head[1]))


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    audit_events: int
    sheets: int
    problems: tuple[str, ...]
    chain_head: str = GENESIS
    key_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "audit_events": self.audit_events,
            "sheets": self.sheets,
            "problems": list(self.problems),
            "chain_head": self.chain_head,
            "chain_code": chain_code(self.chain_head),
            "device_key_id": self.key_id,
        }


@dataclass
class _Walk:
    """What one walk over the chain found, for the checks that follow it."""

    n: int = 0
    prev: str = GENESIS
    public: Ed25519PublicKey | None = None
    key_id: str | None = None
    config: dict[str, Any] | None = None
    expected: dict[str, int] = field(default_factory=lambda: {"official": 0, "test": 0})
    recorded: int = 0
    dropped: int = 0
    voided: int = 0
    checkpoints: int = 0
    state: str | None = None
    last_acc: dict[str, Any] | None = None
    changed_after_acc: bool = False
    # protocol links by kind: the digests they name (checked against the protocol tables)
    protocol: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)


def verify(conn: sqlite3.Connection, sheet_keys: Any) -> VerifyReport:
    """Everything the files can prove, without trusting any of them:

    - the chain: every link's hash and its predecessor, from the configure link to the
      signed head; checkpoints and reports signed by the key the configure link names;
    - the records: their number per mode equals what the chain recorded (recorded minus
      voided; test records cleared at end_test), their fingerprints are unique, the pending
      ones are exactly those in `pending` and their number is what the chain says;
    - the counters recomputed from the records; the review flags from the readings;
    - the last checkpoint's multiset hash, when no sheet changed after it;
    - meta: state is the last lifecycle event's, session is one more than the checkpoints,
      station and election are the configure link's;
    - the protocol tables: every entry, version, signature and finalisation is the one its
      chain link names (by sha256), and every such link has its row.
    """
    problems: list[str] = []
    w = _walk(conn, problems)
    _check_head(conn, w, problems)
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    _check_meta(meta, w, problems)
    _check_records(conn, w, problems)
    _check_counters(conn, sheet_keys, problems)
    _check_last_checkpoint(conn, meta, w, problems)
    _check_protocols(conn, w, problems)
    sheets = conn.execute("SELECT COUNT(*) FROM sheets").fetchone()[0]
    return VerifyReport(not problems, w.n, sheets, tuple(problems), w.prev, w.key_id)


def _walk(conn: sqlite3.Connection, problems: list[str]) -> _Walk:
    w = _Walk()
    for seq, session, at, kind, role, detail, link_prev, digest, sig in conn.execute(
        "SELECT seq, session, at, kind, role, detail, prev, hash, sig FROM audit ORDER BY seq"
    ):
        w.n += 1
        if seq != w.n:
            problems.append(f"audit link {w.n}: missing (next is {seq})")
            w.n = seq
        if link_prev != w.prev:
            problems.append(f"audit link {seq}: previous hash does not match")
        parsed = json.loads(detail)
        if link_hash(link_prev, session, at, kind, role, parsed) != digest:
            problems.append(f"audit link {seq}: hash does not match its content")
        w.prev = digest
        if seq == 1:
            _first_link(w, kind, parsed, problems)
        signed = kind in SIGNED_KINDS or sig is not None
        if signed and (w.public is None or not verify_signature(w.public, sig, bytes.fromhex(digest))):
            problems.append(f"audit link {seq} ({kind}): signature does not verify")
        _count_link(w, seq, kind, parsed, problems)
    return w


SIGNED_KINDS = frozenset({"checkpoint", "zero_report", "closing_report", "final_report"})


def _first_link(w: _Walk, kind: str, parsed: dict[str, Any], problems: list[str]) -> None:
    if kind != "configure":
        problems.append("the chain does not start with the configure link")
        return
    w.config = parsed
    try:
        w.public = public_from_hex(str(parsed.get("device_key", "")))
        w.key_id = device_key_id(w.public)
    except ValueError:
        problems.append("the configure link names no valid device key")


def _count_link(w: _Walk, seq: int, kind: str, parsed: dict[str, Any], problems: list[str]) -> None:
    """What one link adds to the expected records, pending sheets and state."""
    if kind in LIFECYCLE_KINDS:
        w.state = "configured" if kind == "configure" else parsed.get("to")
        if kind == "end_test":
            w.expected["test"] = 0
    elif kind in ("sheet_recorded", "sheet_voided"):
        mode = parsed.get("mode")
        step = 1 if kind == "sheet_recorded" else -1
        if mode in w.expected:
            w.expected[mode] += step
        elif step == 1:
            problems.append(f"audit link {seq}: unknown mode")
        w.recorded += step == 1
        w.voided += step == -1
        w.changed_after_acc = True
    elif kind == "sheet_dropped":
        w.dropped += 1
    elif kind == "review_decided":
        w.changed_after_acc = True
    elif kind == "checkpoint":
        w.checkpoints += 1
        w.last_acc, w.changed_after_acc = parsed, False
    elif kind in PROTOCOL_ROWS:
        w.protocol.setdefault(kind, []).append(tuple(parsed.get(k) for k in PROTOCOL_ROWS[kind][1]))


def _check_head(conn: sqlite3.Connection, w: _Walk, problems: list[str]) -> None:
    head = conn.execute("SELECT seq, hash, sig FROM head WHERE one=1").fetchone()
    if head is None:
        problems.append("the chain's head is not signed")
        return
    if (head[0], head[1]) != (w.n, w.prev):
        problems.append(f"the chain ends at link {w.n}, the signed head is link {head[0]}")
    if w.public is None or not verify_signature(w.public, head[2], _head_message(head[0], head[1])):
        problems.append("the head's signature does not verify")


def _check_meta(meta: dict[str, str], w: _Walk, problems: list[str]) -> None:
    if w.state is not None and meta.get("state") != w.state:
        problems.append(f"state is {meta.get('state')!r}, the chain's last lifecycle event says {w.state!r}")
    if meta.get("session") != str(w.checkpoints + 1):
        problems.append(f"session is {meta.get('session')}, the chain has {w.checkpoints} checkpoints")
    if w.config is not None:
        for k in ("station", "election_hash"):
            if meta.get(k) != w.config.get(k):
                problems.append(f"{k} differs from the configure link")


def _check_records(conn: sqlite3.Connection, w: _Walk, problems: list[str]) -> None:
    """Every record accounted for: per mode, pending, states."""
    actual_modes = dict(conn.execute("SELECT mode, COUNT(*) FROM sheets GROUP BY mode").fetchall())
    for mode in sorted(set(actual_modes) | set(w.expected)):
        if actual_modes.get(mode, 0) != w.expected.get(mode, 0):
            problems.append(
                f"{actual_modes.get(mode, 0)} {mode} records, the chain recorded {w.expected.get(mode, 0)}"
            )
    pending_sheets = {r[0] for r in conn.execute("SELECT id FROM sheets WHERE state='pending'")}
    pending_rows = {r[0] for r in conn.execute("SELECT sheet FROM pending")}
    if pending_sheets != pending_rows:
        problems.append("pending records and the pending table differ")
    chain_pending = w.recorded - w.dropped - w.voided
    if len(pending_sheets) != chain_pending:
        problems.append(f"{len(pending_sheets)} pending records, the chain says {chain_pending}")
    if conn.execute("SELECT COUNT(*) FROM sheets WHERE state NOT IN ('pending', 'counted')").fetchone()[0]:
        problems.append("records in an unknown state")


def _check_counters(conn: sqlite3.Connection, sheet_keys: Any, problems: list[str]) -> None:
    """Fingerprints unique; counters and review flags recomputed from the records."""
    seen: set[str] = set()
    duplicated = 0
    tally: dict[tuple[str, str, str], int] = {}
    review_wrong = 0
    for mode, reading, decision, fps, review in conn.execute(
        "SELECT mode, reading, decision, fingerprints, review FROM sheets"
    ):
        for fp in json.loads(fps):
            duplicated += fp in seen
            seen.add(fp)
        keys = sheet_keys(json.loads(reading), json.loads(decision) if decision else None)
        for k in keys:
            tally[(mode, k.contest, k.key)] = tally.get((mode, k.contest, k.key), 0) + 1
        tally[(mode, "", "sheets")] = tally.get((mode, "", "sheets"), 0) + 1
        review_wrong += int(any(k.key == "review" for k in keys)) != review
    if duplicated:
        problems.append(f"{duplicated} image fingerprint(s) in more than one record")
    if review_wrong:
        problems.append(f"{review_wrong} record(s) with a wrong review flag")
    actual = {(m, c, k): v for m, c, k, v in conn.execute("SELECT mode, contest, key, n FROM counters") if v}
    if tally != actual:
        diff = sorted(set(tally.items()) ^ set(actual.items()))[:5]
        problems.append(f"counters differ from the records: {diff}")


def _check_last_checkpoint(
    conn: sqlite3.Connection, meta: dict[str, str], w: _Walk, problems: list[str]
) -> None:
    if w.last_acc is None or w.changed_after_acc:
        return
    records = conn.execute("SELECT COUNT(*) FROM sheets").fetchone()[0]
    blind = meta.get("blind", NO_BLIND)
    if records != w.last_acc.get("records"):
        problems.append("records differ from the last checkpoint")
    elif blind == NO_BLIND:
        problems.append("the last checkpoint's opening is missing")
    elif blinded_commit(conn, blind) != w.last_acc.get("commit"):
        problems.append("records differ from the last checkpoint")


# Protocol links (kiosk.protocol.store) -> (their table, the detail keys naming one row).
PROTOCOL_ROWS: dict[str, tuple[str, tuple[str, ...]]] = {
    "protocol_entered": ("protocol_entries", ("contest", "sha256")),
    "protocol_version": ("protocol_versions", ("contest", "version", "sha256")),
    "protocol_signed": ("protocol_signatures", ("contest", "version", "member", "sha256")),
    "protocol_finalised": ("protocol_finalised", ("contest", "version")),
}
PROTOCOL_KINDS = frozenset(PROTOCOL_ROWS) | {"pin_failed", "pin_ok", "pin_locked"}


def _protocol_rows(conn: sqlite3.Connection, kind: str, problems: list[str]) -> list[tuple[Any, ...]]:
    """The rows of a protocol table as its links name them (digests recomputed)."""
    if kind == "protocol_entered":
        return [(c, _sha(t.encode())) for c, t in conn.execute("SELECT contest, lines FROM protocol_entries")]
    if kind == "protocol_version":
        out = []
        for contest, version, payload, digest in conn.execute(
            "SELECT contest, version, payload, sha256 FROM protocol_versions"
        ):
            if _sha(bytes(payload)) != digest:
                problems.append(f"protocol {contest} v{version}: payload differs from its sha256")
            out.append((contest, version, _sha(bytes(payload))))
        return out
    if kind == "protocol_signed":
        return [
            (c, v, signer, _sha(f"{protected}.{signature}".encode()))
            for c, v, signer, protected, signature in conn.execute(
                "SELECT contest, version, signer, protected, signature FROM protocol_signatures"
            )
        ]
    return [tuple(r) for r in conn.execute("SELECT contest, version FROM protocol_finalised")]


def _check_protocols(conn: sqlite3.Connection, w: _Walk, problems: list[str]) -> None:
    """Each protocol row is the one its link names, and each link has its row: a version or
    signature changed, a finalisation or entry deleted, all fail."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for kind, (table, _) in PROTOCOL_ROWS.items():
        rows = _protocol_rows(conn, kind, problems) if table in tables else []
        linked = w.protocol.get(kind, [])
        for what, items in (
            ("no row for the link", Counter(linked) - Counter(rows)),
            ("a row without its link", Counter(rows) - Counter(linked)),
        ):
            for item in sorted(items, key=repr)[:3]:
                problems.append(f"{table}: {what} {list(item[:3])}")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def counting_head(conn: sqlite3.Connection) -> str:
    """The hash of the last link that counts or changes the state (`COUNTING_KINDS`); what a
    protocol commits to. Audit links (refusals, sign-ins, PIN attempts, reports, protocol
    versions and signatures) after it leave it as it is."""
    kinds = sorted(COUNTING_KINDS)
    row = conn.execute(
        f"SELECT hash FROM audit WHERE kind IN ({','.join('?' * len(kinds))}) ORDER BY seq DESC LIMIT 1",
        kinds,
    ).fetchone()
    return str(row[0]) if row else GENESIS


# The links that change what is counted or the station's state: every lifecycle step (with
# the checkpoint it writes), a sheet recorded, dropped into the box or voided, a pending
# sheet settled by the commission, a review decided.
COUNTING_KINDS = LIFECYCLE_KINDS | {
    "checkpoint",
    "sheet_recorded",
    "sheet_dropped",
    "sheet_voided",
    "pending_decided",
    "review_decided",
}


__all__ = [
    "COUNTING_KINDS",
    "GENESIS",
    "NO_BLIND",
    "PROTOCOL_KINDS",
    "VerifyReport",
    "append_link",
    "blinded_commit",
    "chain_code",
    "checkpoint_detail",
    "configuration",
    "counting_head",
    "head_of",
    "last_lifecycle_state",
    "record_hash",
    "sign_head",
    "verify",
]
