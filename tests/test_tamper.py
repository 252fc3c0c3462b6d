"""Tried as someone with the files and the sqlite3 command line would try it (issue 11).

Each row: a station in a given state, an attack on its files (journal and mirror alike, with
no hashing unless the row says so), and how it is caught: by `verify`, by the station
refusing to act, or by the paper (the chain code the commission holds). One row is a limit
that no design can close without ordering the votes; it is asserted as such, so that
docs/station.md stays true.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from stationkit import CLEAN, make_station

from fieldkit.deck import DeckOptions
from fieldkit.sim import SimScanner
from kiosk.election.load import load_election
from kiosk.errors import SanaqError
from kiosk.station import chain
from kiosk.station.device import device_key_id, raw_public
from kiosk.station.journal import Journal, sheet_keys
from kiosk.station.service import FixedClock, Station
from kiosk.station.store import canonical

PRIMARY, MIRROR = Path("j.sqlite"), Path("usb/j.sqlite")


@dataclass
class Scene:
    tmp: Path
    last_code: str  # the chain code on the last paper the commission holds
    key_id: str  # the device key id on the zero report

    def files(self) -> list[Path]:
        return [self.tmp / PRIMARY, self.tmp / MIRROR]


def _scene(tmp: Path, until: str, opt: DeckOptions = CLEAN) -> Scene:
    """20 sheets counted; then paused ("paused"), left open ("open"), or finalised."""
    st = make_station(tmp)
    zero = st.transition("open", "chair")
    assert zero.report is not None and zero.report["sheets"] == 0
    st.scan(SimScanner(style="MZ-LIST", n=20, seed=10, opt=opt), "member", member="M. Member")
    last = zero
    if until == "paused":
        last = st.transition("pause", "chair")
    elif until == "finalised":
        st.transition("close", "chair")
        last = st.transition("finalise", "chair")
    st.journal.close()
    return Scene(tmp, last.chain_code, str(zero.device_key_id))


def _on_files(scene: Scene, fn: Callable[[sqlite3.Connection, random.Random], None]) -> None:
    """Apply the same edit, with the same made-up values, to the journal and its mirror."""
    for path in scene.files():
        db = sqlite3.connect(path)
        fn(db, random.Random(7))
        db.commit()
        db.close()


def _key(reading: dict[str, Any]) -> tuple[str, str]:
    k = sheet_keys(reading)[0]
    return k.contest, k.key


def _bump(db: sqlite3.Connection, contest: str, key: str, delta: int) -> None:
    db.execute(
        "INSERT INTO counters VALUES ('official',?,?,?) ON CONFLICT DO UPDATE SET n=n+excluded.n",
        (contest, key, delta),
    )


def forge_records(db: sqlite3.Connection, rng: random.Random) -> None:
    """50 new records with a made-up session, counters raised to match."""
    style, reading = db.execute("SELECT style, reading FROM sheets").fetchone()
    contest, key = _key(json.loads(reading))
    for _ in range(50):
        db.execute(
            "INSERT INTO sheets (id, mode, session, state, style, reading, fingerprints) "
            "VALUES (?, 'official', 99, 'counted', ?, ?, ?)",
            (rng.randbytes(16).hex(), style, reading, json.dumps([rng.randbytes(32).hex()])),
        )
    _bump(db, contest, key, 50)
    _bump(db, "", "sheets", 50)


def change_vote(db: sqlite3.Connection, rng: random.Random) -> None:
    sheet_id, reading_text = db.execute("SELECT id, reading FROM sheets ORDER BY id").fetchone()
    reading = json.loads(reading_text)
    contest, old = _key(reading)
    forged = "jsdp" if old != "option:jsdp" else "auyl"
    reading["contests"][0].update(outcome="vote", choice=forged)
    db.execute("UPDATE sheets SET reading=?, review=0 WHERE id=?", (canonical(reading).decode(), sheet_id))
    _bump(db, contest, old, -1)
    _bump(db, contest, f"option:{forged}", 1)


def delete_record(db: sqlite3.Connection, rng: random.Random) -> None:
    sheet_id, reading = db.execute("SELECT id, reading FROM sheets ORDER BY id").fetchone()
    contest, key = _key(json.loads(reading))
    db.execute("DELETE FROM sheets WHERE id=?", (sheet_id,))
    _bump(db, contest, key, -1)
    _bump(db, "", "sheets", -1)


def copy_record(db: sqlite3.Connection, rng: random.Random) -> None:
    row = db.execute("SELECT * FROM sheets ORDER BY id").fetchone()
    contest, key = _key(json.loads(row[5]))
    db.execute("INSERT INTO sheets VALUES (?,?,?,?,?,?,?,?,?)", (rng.randbytes(16).hex(), *row[1:]))
    _bump(db, contest, key, 1)
    _bump(db, "", "sheets", 1)


def cut_tail_then_change_vote(db: sqlite3.Connection, rng: random.Random) -> None:
    """Back to before close: the close and everything after it gone, state and session set back."""
    close = db.execute("SELECT seq, session FROM audit WHERE kind='close'").fetchone()
    db.execute("DELETE FROM audit WHERE seq >= ?", (close[0],))
    db.execute("UPDATE meta SET value='open' WHERE key='state'")
    db.execute("UPDATE meta SET value=? WHERE key='session'", (str(close[1]),))
    change_vote(db, rng)


def state_back_to_closed(db: sqlite3.Connection, rng: random.Random) -> None:
    db.execute("UPDATE meta SET value='closed' WHERE key='state'")


def forged_lifecycle_link(db: sqlite3.Connection, rng: random.Random) -> None:
    """A hashed (but unsigned) link that takes the station from finalised back to closed."""
    session = int(db.execute("SELECT value FROM meta WHERE key='session'").fetchone()[0])
    prev = db.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()[0]
    detail = {"from": "finalised", "to": "closed"}
    digest = chain.link_hash(prev, session, "2023-03-19T20:00:00+06:00", "close", "chair", detail)
    db.execute(
        "INSERT INTO audit (session, at, kind, role, detail, prev, hash) VALUES (?,?,?,?,?,?,?)",
        (session, "2023-03-19T20:00:00+06:00", "close", "chair", canonical(detail).decode(), prev, digest),
    )
    db.execute("UPDATE meta SET value='closed' WHERE key='state'")


def unconfirm_a_drop(db: sqlite3.Connection, rng: random.Random) -> None:
    """A counted sheet made pending again (to have it voided as 'returned' at the next start)."""
    sheet_id = db.execute("SELECT id FROM sheets WHERE state='counted' ORDER BY id").fetchone()[0]
    db.execute("UPDATE sheets SET state='pending' WHERE id=?", (sheet_id,))
    db.execute("INSERT INTO pending VALUES (?, 'sim-10-000000')", (sheet_id,))


def hide_a_review_sheet(db: sqlite3.Connection, rng: random.Random) -> None:
    db.execute("UPDATE sheets SET review=0 WHERE id=(SELECT id FROM sheets WHERE review=1 ORDER BY id)")


def zero_the_blind_then_change_vote(db: sqlite3.Connection, rng: random.Random) -> None:
    db.execute("UPDATE meta SET value=? WHERE key='blind'", (chain.NO_BLIND,))
    change_vote(db, rng)


def _rehash(db: sqlite3.Connection, key: Ed25519PrivateKey | None, new_public: str | None) -> None:
    """Recompute every link (and checkpoint commitment) after an edit; sign with `key` if any."""
    prev = chain.GENESIS
    blind = db.execute("SELECT value FROM meta WHERE key='blind'").fetchone()[0]
    rows = db.execute("SELECT seq, session, at, kind, role, detail, sig FROM audit ORDER BY seq").fetchall()
    last_checkpoint = max(r[0] for r in rows if r[3] == "checkpoint")
    for seq, session, at, kind, role, detail_text, sig in rows:
        detail = json.loads(detail_text)
        if kind == "configure" and new_public is not None:
            detail["device_key"] = new_public
        if seq == last_checkpoint:
            detail["commit"] = chain.blinded_commit(db, blind)
        digest = chain.link_hash(prev, session, at, kind, role, detail)
        if key is not None and sig is not None:
            sig = key.sign(bytes.fromhex(digest)).hex()
        db.execute(
            "UPDATE audit SET detail=?, prev=?, hash=?, sig=? WHERE seq=?",
            (canonical(detail).decode(), prev, digest, sig, seq),
        )
        prev = digest
    if key is not None:
        chain.sign_head(db, key)
    else:
        db.execute("UPDATE head SET seq=(SELECT MAX(seq) FROM audit), hash=?", (prev,))


def recompute_chain_without_key(db: sqlite3.Connection, rng: random.Random) -> None:
    change_vote(db, rng)
    _rehash(db, None, None)


ATTACKER_KEY = Ed25519PrivateKey.generate()


def recompute_chain_with_own_key(db: sqlite3.Connection, rng: random.Random) -> None:
    change_vote(db, rng)
    _rehash(db, ATTACKER_KEY, raw_public(ATTACKER_KEY.public_key()).hex())


# (name, station state, attack, problem `verify` must report, or None when verify passes)
VERIFY_CASES: list[tuple[str, str, Callable[[sqlite3.Connection, random.Random], None], str | None]] = [
    (
        "50 forged records, counters raised",
        "finalised",
        forge_records,
        "70 official records, the chain recorded 20",
    ),
    (
        "chain tail cut, then a vote changed",
        "finalised",
        cut_tail_then_change_vote,
        "the signed head is link",
    ),
    (
        "state set back from finalised to closed",
        "finalised",
        state_back_to_closed,
        "the chain's last lifecycle",
    ),
    ("forged lifecycle link back to closed", "finalised", forged_lifecycle_link, "the signed head is link"),
    ("record changed with its counters, finalised", "finalised", change_vote, "records differ from the last"),
    ("record changed with its counters, paused", "paused", change_vote, "records differ from the last"),
    (
        "record deleted with its counters, open",
        "open",
        delete_record,
        "19 official records, the chain recorded 20",
    ),
    (
        "record copied with its counters, open",
        "open",
        copy_record,
        "21 official records, the chain recorded 20",
    ),
    ("counted sheet made pending again, open", "open", unconfirm_a_drop, "pending records, the chain says 0"),
    ("review flag cleared, open", "open", hide_a_review_sheet, "wrong review flag"),
    (
        "blind overwritten, then a vote changed",
        "paused",
        zero_the_blind_then_change_vote,
        "opening is missing",
    ),
    (
        "whole chain recomputed without the key",
        "finalised",
        recompute_chain_without_key,
        "signature does not verify",
    ),
    # The limit: between two commitments, with the polls open, a vote rewritten together with its
    # counters is not seen by verify; any per-sheet binding the files could check would order the
    # votes. The paper ballots in the box are what disagrees (docs/station.md).
    ("record changed with its counters, open (limit)", "open", change_vote, None),
]


@pytest.mark.parametrize("name,until,attack,problem", VERIFY_CASES, ids=[c[0] for c in VERIFY_CASES])
def test_attack_on_the_files(
    tmp_path: Path,
    name: str,
    until: str,
    attack: Callable[[sqlite3.Connection, random.Random], None],
    problem: str | None,
) -> None:
    hesitant = DeckOptions(hesitation=1.0, streak=0.0)  # some sheets set aside for review
    scene = _scene(tmp_path, until, hesitant if attack is hide_a_review_sheet else CLEAN)
    if attack is hide_a_review_sheet:
        db = sqlite3.connect(tmp_path / PRIMARY)
        assert db.execute("SELECT COUNT(*) FROM sheets WHERE review=1").fetchone()[0]
        db.close()
    _on_files(scene, attack)
    # Both copies were edited alike, so the mirror comparison passes: verify must see it.
    journal = Journal.open(tmp_path / PRIMARY, FixedClock(), tmp_path / MIRROR)
    report = journal.verify()
    if problem is None:
        assert report.ok, report.problems
    else:
        assert not report.ok
        assert any(problem in p for p in report.problems), report.problems


def test_state_set_back_is_refused_by_the_station(tmp_path: Path) -> None:
    scene = _scene(tmp_path, "finalised")
    _on_files(scene, state_back_to_closed)
    st = Station(
        Journal.open(tmp_path / PRIMARY, FixedClock(), tmp_path / MIRROR),
        load_election(None),
        development=True,
    )
    with pytest.raises(SanaqError) as info:
        st.scan(SimScanner(style="MZ-LIST", n=2, seed=11, opt=CLEAN), "member", member="M. Member")
    assert info.value.code == "journal_tampered"
    assert st.journal.tally().sheets == 20


def test_chain_recomputed_with_an_own_key_disagrees_with_the_paper(tmp_path: Path) -> None:
    scene = _scene(tmp_path, "finalised")
    _on_files(scene, recompute_chain_with_own_key)
    report = Journal.open(tmp_path / PRIMARY, FixedClock(), tmp_path / MIRROR).verify()
    assert report.ok, report.problems  # self-consistent: whoever holds the files can do this...
    # ...but the device key id on the zero report and the code on the last paper differ.
    assert report.key_id == device_key_id(ATTACKER_KEY.public_key()) != scene.key_id
    assert chain.chain_code(report.chain_head) != scene.last_code


def test_rollback_to_an_earlier_copy_disagrees_with_the_paper(tmp_path: Path) -> None:
    st = make_station(tmp_path)
    st.transition("open", "chair")
    st.scan(SimScanner(style="AST-LIST", n=5, seed=30, opt=CLEAN), "member", member="M. Member")
    slip = st.transition("pause", "chair")
    st.journal.close()
    saved = tmp_path / "saved"
    shutil.copytree(tmp_path, saved, ignore=shutil.ignore_patterns("saved"))
    st = Station(
        Journal.open(tmp_path / PRIMARY, FixedClock(), tmp_path / MIRROR),
        load_election(None),
        development=True,
    )
    st.transition("resume", "chair")
    st.scan(SimScanner(style="AST-LIST", n=5, seed=31, opt=CLEAN), "member", member="M. Member")
    last = st.transition("pause", "chair")
    st.journal.close()
    for rel in (PRIMARY, MIRROR):  # journal and mirror replaced by the earlier copy
        shutil.copy(saved / rel, tmp_path / rel)
    rolled = Journal.open(tmp_path / PRIMARY, FixedClock(), tmp_path / MIRROR)
    assert rolled.verify().ok  # a true earlier state...
    assert rolled.tally().sheets == 5
    assert rolled.chain_code() == slip.chain_code != last.chain_code  # ...that is not the last paper's


def test_mirror_null_in_a_loose_file_changes_nothing(tmp_path: Path) -> None:
    import subprocess
    import sys

    data, usb = tmp_path / "st", tmp_path / "usb" / "j.sqlite"

    def sanaq(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "kiosk.cli",
                "station",
                "--data",
                str(data),
                "--role",
                "chair",
                "--member",
                "A. Chair",
                "--development",
                *args,
            ],
            capture_output=True,
            text=True,
        )

    assert sanaq("init", "--mirror", str(usb)).returncode == 0
    (data / "station.json").write_text(json.dumps({"mirror": None, "scanner": None}))
    assert sanaq("open").returncode == 0
    status = json.loads(sanaq("status", "--json").stdout)
    assert status["mirror"] is True  # the mirror is the one the signed journal names
    links = sqlite3.connect(usb).execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    assert links == json.loads(sanaq("verify").stdout)["audit_events"]  # and it got the open
    # Editing the configuration inside the journal breaks the first link: refused.
    db = sqlite3.connect(data / "journal.sqlite")
    detail = json.loads(db.execute("SELECT detail FROM audit WHERE seq=1").fetchone()[0])
    detail["mirror"] = None
    db.execute("UPDATE audit SET detail=? WHERE seq=1", (canonical(detail).decode(),))
    db.commit()
    db.close()
    refused = sanaq("status", "--json")
    assert refused.returncode == 2 and json.loads(refused.stderr)["error"]["code"] == "journal_tampered"


def test_device_key_files(tmp_path: Path) -> None:
    st = make_station(tmp_path)
    key, pub = tmp_path / "device.key", tmp_path / "device.pub"
    assert key.stat().st_mode & 0o777 == 0o600
    assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert pub.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    config = st.journal.config()
    assert st.journal.key is not None
    assert config["device_key_id"] == device_key_id(st.journal.key.public_key())
    assert len(config["device_key_id"]) == 16
    code = st.journal.chain_code()
    assert len(code) == 19 and code.count("-") == 3
