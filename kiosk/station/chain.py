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
from dataclasses import dataclass
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
      station and election are the configure link's.
    """
    problems: list[str] = []
    prev = GENESIS
    n = 0
    public: Ed25519PublicKey | None = None
    key_id: str | None = None
    config: dict[str, Any] | None = None
    expected = {"official": 0, "test": 0}
    recorded = dropped = voided = 0
    checkpoints = 0
    state: str | None = None
    last_acc: dict[str, Any] | None = None
    changed_after_acc = False
    for seq, session, at, kind, role, detail, link_prev, digest, sig in conn.execute(
        "SELECT seq, session, at, kind, role, detail, prev, hash, sig FROM audit ORDER BY seq"
    ):
        n += 1
        if seq != n:
            problems.append(f"audit link {n}: missing (next is {seq})")
            n = seq
        if link_prev != prev:
            problems.append(f"audit link {seq}: previous hash does not match")
        parsed = json.loads(detail)
        if link_hash(link_prev, session, at, kind, role, parsed) != digest:
            problems.append(f"audit link {seq}: hash does not match its content")
        prev = digest
        if seq == 1:
            if kind != "configure":
                problems.append("the chain does not start with the configure link")
            else:
                config = parsed
                try:
                    public = public_from_hex(str(parsed.get("device_key", "")))
                    key_id = device_key_id(public)
                except ValueError:
                    problems.append("the configure link names no valid device key")
        signed = kind in ("checkpoint", "zero_report", "closing_report", "final_report") or sig is not None
        if signed and (public is None or not verify_signature(public, sig, bytes.fromhex(digest))):
            problems.append(f"audit link {seq} ({kind}): signature does not verify")
        if kind in LIFECYCLE_KINDS:
            state = "configured" if kind == "configure" else parsed.get("to")
            if kind == "end_test":
                expected["test"] = 0
        elif kind == "sheet_recorded":
            mode = parsed.get("mode")
            if mode not in expected:
                problems.append(f"audit link {seq}: unknown mode")
            else:
                expected[mode] += 1
            recorded += 1
            changed_after_acc = True
        elif kind == "sheet_voided":
            mode = parsed.get("mode")
            if mode in expected:
                expected[mode] -= 1
            voided += 1
            changed_after_acc = True
        elif kind == "sheet_dropped":
            dropped += 1
        elif kind == "review_decided":
            changed_after_acc = True
        elif kind == "checkpoint":
            checkpoints += 1
            last_acc, changed_after_acc = parsed, False
    head = conn.execute("SELECT seq, hash, sig FROM head WHERE one=1").fetchone()
    if head is None:
        problems.append("the chain's head is not signed")
    else:
        if (head[0], head[1]) != (n, prev):
            problems.append(f"the chain ends at link {n}, the signed head is link {head[0]}")
        if public is None or not verify_signature(public, head[2], _head_message(head[0], head[1])):
            problems.append("the head's signature does not verify")
    # Meta agrees with the chain.
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    if state is not None and meta.get("state") != state:
        problems.append(f"state is {meta.get('state')!r}, the chain's last lifecycle event says {state!r}")
    if meta.get("session") != str(checkpoints + 1):
        problems.append(f"session is {meta.get('session')}, the chain has {checkpoints} checkpoints")
    if config is not None:
        for k in ("station", "election_hash"):
            if meta.get(k) != config.get(k):
                problems.append(f"{k} differs from the configure link")
    # Every record accounted for.
    actual_modes = dict(conn.execute("SELECT mode, COUNT(*) FROM sheets GROUP BY mode").fetchall())
    for mode in sorted(set(actual_modes) | set(expected)):
        if actual_modes.get(mode, 0) != expected.get(mode, 0):
            problems.append(
                f"{actual_modes.get(mode, 0)} {mode} records, the chain recorded {expected.get(mode, 0)}"
            )
    pending_sheets = {r[0] for r in conn.execute("SELECT id FROM sheets WHERE state='pending'")}
    pending_rows = {r[0] for r in conn.execute("SELECT sheet FROM pending")}
    if pending_sheets != pending_rows:
        problems.append("pending records and the pending table differ")
    chain_pending = recorded - dropped - voided
    if len(pending_sheets) != chain_pending:
        problems.append(f"{len(pending_sheets)} pending records, the chain says {chain_pending}")
    if conn.execute("SELECT COUNT(*) FROM sheets WHERE state NOT IN ('pending', 'counted')").fetchone()[0]:
        problems.append("records in an unknown state")
    seen: set[str] = set()
    duplicated = 0
    # Counters and review flags recomputed from the records.
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
    if last_acc is not None:
        records = conn.execute("SELECT COUNT(*) FROM sheets").fetchone()[0]
        blind = meta.get("blind", NO_BLIND)
        if not changed_after_acc and records != last_acc.get("records"):
            problems.append("records differ from the last checkpoint")
        elif not changed_after_acc and blind == NO_BLIND:
            problems.append("the last checkpoint's opening is missing")
        elif not changed_after_acc and blinded_commit(conn, blind) != last_acc.get("commit"):
            problems.append("records differ from the last checkpoint")
    sheets = conn.execute("SELECT COUNT(*) FROM sheets").fetchone()[0]
    return VerifyReport(not problems, n, sheets, tuple(problems), prev, key_id)


__all__ = [
    "GENESIS",
    "NO_BLIND",
    "VerifyReport",
    "append_link",
    "blinded_commit",
    "chain_code",
    "checkpoint_detail",
    "configuration",
    "head_of",
    "last_lifecycle_state",
    "record_hash",
    "sign_head",
    "verify",
]
