"""The protocol's tables are the journal's (issue 12): written with a link of the journal's
signed chain each, walked by `Journal.verify`; and a protocol commits to the journal's
*counting* head, so audit links between building and signing do not make a new version while
any counting change does."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.protocol.sample import PIN, make_sample_station
from kiosk.protocol.store import ProtocolStore
from kiosk.station.chain import COUNTING_KINDS
from kiosk.station.journal import Journal
from kiosk.station.service import FixedClock

TRIGGERS = [
    f"protocol_{t}_no_{op}"
    for t in ("entries", "versions", "signatures", "finalised")
    for op in ("update", "delete", "replace")
]


def _sign(data: Path, member: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PIN[member] + "\n"))
    assert main(["protocol", "--data", str(data), "sign", "--member", member, "--pin-stdin"]) == 0


@pytest.fixture(scope="module")
def finalised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    s = make_sample_station(tmp_path_factory.mktemp("pj") / "data", sheets_per_style=4)
    d = str(s.data)
    mp = pytest.MonkeyPatch()
    try:
        assert main(["protocol", "--data", d, "enter", "--lines", str(s.data / "entered.json")]) == 0
        for m in ("aigerim", "bolat"):
            _sign(s.data, m, mp)
        assert main(["protocol", "--data", d, "finalise"]) == 0
    finally:
        mp.undo()
    return s.data


@pytest.fixture
def copy(finalised: Path, tmp_path: Path) -> Path:
    out = tmp_path / "copy"
    shutil.copytree(finalised, out)
    return out


def _verify(data: Path) -> tuple[bool, list[str]]:
    j = Journal.open(data / "journal.sqlite", FixedClock())
    try:
        r = j.verify()
    finally:
        j.close()
    return r.ok, list(r.problems)


def _edit(data: Path, *sql: str) -> None:
    """As someone with the file and the sqlite3 command line: drop the triggers, edit."""
    db = sqlite3.connect(data / "journal.sqlite", isolation_level=None)
    for t in TRIGGERS:
        db.execute(f"DROP TRIGGER IF EXISTS {t}")
    for q in sql:
        db.execute(q)
    db.close()


def test_protocol_rows_are_links_of_the_signed_chain(finalised: Path) -> None:
    ok, problems = _verify(finalised)
    assert ok, problems
    j = Journal.open(finalised / "journal.sqlite", FixedClock())
    kinds = [e["kind"] for e in j.audit_events()]
    rows = {
        t: j.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
        for t in ("protocol_entries", "protocol_versions", "protocol_signatures", "protocol_finalised")
    }
    j.close()
    # 4 ballot types: entered, one version each (signed by the device, chair and secretary).
    assert rows == {
        "protocol_entries": 4,
        "protocol_versions": 4,
        "protocol_signatures": 12,
        "protocol_finalised": 4,
    }
    assert kinds.count("protocol_entered") == 4 and kinds.count("protocol_version") == 4
    assert kinds.count("protocol_signed") == 12 and kinds.count("protocol_finalised") == 4
    assert kinds.count("pin_ok") == 2


def _new_payload(data: Path) -> str:
    db = sqlite3.connect(data / "journal.sqlite")
    payload = bytes(db.execute("SELECT payload FROM protocol_versions WHERE version=1 LIMIT 1").fetchone()[0])
    db.close()
    forged = payload.replace(b'"version":1', b'"version":1 ')
    return f"X'{forged.hex()}', sha256='{hashlib.sha256(forged).hexdigest()}'"


TAMPER: list[tuple[str, Callable[[Path], list[str]], str]] = [
    (
        "finalised payload changed, its sha256 recomputed",
        lambda d: [f"UPDATE protocol_versions SET payload={_new_payload(d)} WHERE rowid=1"],
        "protocol_versions",
    ),
    (
        "finalised payload changed, sha256 column left",
        lambda d: ["UPDATE protocol_versions SET payload=X'00' WHERE rowid=1"],
        "payload differs from its sha256",
    ),
    (
        "finalisation deleted",
        lambda d: ["DELETE FROM protocol_finalised WHERE rowid=1"],
        "protocol_finalised",
    ),
    (
        "finalised version deleted with its signatures and finalisation",
        lambda d: [
            "DELETE FROM protocol_signatures WHERE contest='mazhilis-list'",
            "DELETE FROM protocol_finalised WHERE contest='mazhilis-list'",
            "DELETE FROM protocol_versions WHERE contest='mazhilis-list'",
        ],
        "protocol_versions",
    ),
    (
        "chair's signature swapped for the secretary's",
        lambda d: [
            "UPDATE protocol_signatures SET signature=(SELECT signature FROM protocol_signatures s "
            "WHERE s.signer='bolat' AND s.contest=protocol_signatures.contest) WHERE signer='aigerim'"
        ],
        "protocol_signatures",
    ),
    (
        "a signature row added",
        lambda d: [
            "INSERT INTO protocol_signatures (contest, version, signer, protected, signature, at) "
            "SELECT contest, version, 'dana', protected, signature, at FROM protocol_signatures LIMIT 1"
        ],
        "a row without its link",
    ),
    (
        "entered lines changed",
        lambda d: ["UPDATE protocol_entries SET lines=replace(lines, '2', '3') WHERE rowid=1"],
        "protocol_entries",
    ),
]


@pytest.mark.parametrize("what,sql,problem", TAMPER, ids=[t[0] for t in TAMPER])
def test_a_changed_protocol_row_fails_verify(
    copy: Path, what: str, sql: Callable[[Path], list[str]], problem: str
) -> None:
    assert _verify(copy)[0]
    _edit(copy, *sql(copy))
    ok, problems = _verify(copy)
    assert not ok and any(problem in p for p in problems), problems


def test_the_tables_refuse_update_delete_and_a_duplicate_write(copy: Path) -> None:
    db = sqlite3.connect(copy / "journal.sqlite", isolation_level=None)
    for table in ("protocol_entries", "protocol_versions", "protocol_signatures", "protocol_finalised"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(f"UPDATE {table} SET at='x'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(f"DELETE FROM {table}")
    # A duplicate write. INSERT OR REPLACE deletes the old row without firing the DELETE
    # triggers (found here: it overwrote a finalised version); a BEFORE INSERT trigger refuses it.
    forged = "X'00', 'x', NULL, NULL, 'x'"
    for sql in (
        f"INSERT OR REPLACE INTO protocol_versions SELECT contest, version, {forged} FROM protocol_versions LIMIT 1",
        "INSERT OR REPLACE INTO protocol_finalised SELECT contest, version, 'x' FROM protocol_finalised LIMIT 1",
        "INSERT OR REPLACE INTO protocol_entries SELECT seq, contest, '{}', 'x' FROM protocol_entries LIMIT 1",
        "INSERT OR REPLACE INTO protocol_signatures (contest, version, signer, protected, signature, at) "
        "SELECT contest, version, signer, 'x', 'x', 'x' FROM protocol_signatures LIMIT 1",
        "INSERT INTO protocol_finalised SELECT * FROM protocol_finalised LIMIT 1",
    ):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(sql)
    db.close()
    assert _verify(copy)[0]


def test_the_protocol_commits_to_the_counting_head(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = make_sample_station(tmp_path / "data", sheets_per_style=3)
    data = s.data
    assert main(["protocol", "--data", str(data), "enter", "--lines", str(data / "entered.json")]) == 0
    path = data / "journal.sqlite"
    j = Journal.open(path, FixedClock())
    head = j.counting_head()
    last_counting = j.db.execute(
        f"SELECT hash FROM audit WHERE kind IN ({','.join('?' * len(COUNTING_KINDS))}) ORDER BY seq DESC",
        sorted(COUNTING_KINDS),
    ).fetchone()[0]
    assert head == last_counting and head != j.chain_head()  # the entries came after it
    j.close()
    _sign(data, "aigerim", monkeypatch)  # version 1, signed by the device and the chair
    # Audit links between building and signing: a refusal, a wrong PIN, a returned sheet.
    j = Journal.open(path, FixedClock())
    j.refuse("member", "open", "role_not_allowed")
    j.sheet_returned("unreadable")
    j.close()
    monkeypatch.setattr("sys.stdin", io.StringIO("000000\n"))
    assert main(["protocol", "--data", str(data), "sign", "--member", "dana", "--pin-stdin"]) == 2
    j = Journal.open(path, FixedClock())
    assert j.counting_head() == head and j.chain_head() != head
    j.close()
    _sign(data, "bolat", monkeypatch)
    store = ProtocolStore.read(path)
    assert [v.version for v in store.versions("mazhilis-list")] == [1]
    payload = json.loads(store.versions("mazhilis-list")[0].payload)
    assert payload["chain_head"] == head
    signers = [x for x, _, _ in store.signatures("mazhilis-list", 1)]
    store.close()
    assert signers == ["device", "aigerim", "bolat"]
    # A counting change (a sheet of the portable box, counted after close) does make a new one.
    j = Journal.open(path, FixedClock())
    reading = {
        "style": "MZ-LIST",
        "status": "ok",
        "contests": [{"contest": "mazhilis-list", "outcome": "blank", "choice": None}],
    }
    sid = j.record_sheet("official", "MZ-LIST", reading, ["f" * 64], "box-1")
    j.confirm_dropped(sid)
    assert j.counting_head() != head
    j.close()
    lines = json.loads((data / "entered.json").read_text())
    lines["mazhilis-list"]["ballots_issued"] += 1
    lines["mazhilis-list"]["ballots_cancelled"] -= 1
    (data / "entered.json").write_text(json.dumps(lines))
    assert main(["protocol", "--data", str(data), "enter", "--lines", str(data / "entered.json")]) == 0
    _sign(data, "aigerim", monkeypatch)
    store = ProtocolStore.read(path)
    versions = store.versions("mazhilis-list")
    store.close()
    assert [(v.version, v.replaces) for v in versions] == [(1, None), (2, 1)]
    assert _verify(data)[0]
