"""The station journal, lifecycle and service on a real SQLite file: counts, codes, secrecy, faults."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from stationkit import CLEAN, counters, expected_tally, make_station

from drivers.folder import FolderScanner
from fieldkit.deck import DeckOptions, SheetTruth, write_deck
from fieldkit.sim import SimScanner
from kiosk.election.load import load_election
from kiosk.errors import SanaqError
from kiosk.station.journal import Journal, sheet_keys
from kiosk.station.lifecycle import Allowed, Refused, decide
from kiosk.station.ports import FedSheet
from kiosk.station.service import FixedClock, Station

# --- lifecycle ---------------------------------------------------------------------------------------


def _refused(verdict: Allowed | Refused) -> str:
    assert isinstance(verdict, Refused), verdict
    return verdict.code


def test_lifecycle_decisions() -> None:
    assert decide("configured", "open", "chair") == Allowed("open")
    assert decide("configured", "open", "member") == Refused("role_not_allowed", "member may not open")
    assert isinstance(decide("configured", "open", "chair", official_counts_zero=False), Refused)
    assert _refused(decide("configured", "open", "chair", official_counts_zero=False)) == "counts_not_zero"
    assert decide("open", "pause", "member") == Allowed("paused")
    assert _refused(decide("paused", "scan", "member")) == "action_not_allowed_now"
    assert _refused(decide("open", "close", "chair", pending_sheets=1)) == "sheets_pending"
    assert _refused(decide("closed", "open", "chair")) == "action_not_allowed_now"
    assert _refused(decide("open", "fly", "chair")) == "action_unknown"
    assert _refused(decide("open", "pause", "janitor")) == "role_unknown"
    # The full day, in order.
    state = "configured"
    for action, role in (
        ("start_test", "technician"),
        ("end_test", "chair"),
        ("open", "chair"),
        ("pause", "secretary"),
        ("resume", "member"),
        ("close", "chair"),
        ("finalise", "chair"),
        ("export", "secretary"),
        ("sync", "technician"),
    ):
        verdict = decide(state, action, role)  # type: ignore[arg-type]
        assert isinstance(verdict, Allowed), (state, action)
        state = verdict.next_state
    assert state == "synced"


# --- counting ------------------------------------------------------------------------------------------


def test_scan_counts_exactly_and_verifies(tmp_path: Path) -> None:
    st = make_station(tmp_path)
    assert isinstance(st.journal.transition("open", "chair"), Allowed)
    sim = SimScanner(n=40, seed=3, opt=CLEAN)
    summary = st.scan(sim, "member", member="M. Member")
    assert summary.counted == 40 and summary.returned == 0
    truths = [sim.truth[h] for h in sorted(sim.truth)]
    assert counters(st.journal) == expected_tally(truths)
    assert st.journal.tally().sheets == 40 and st.journal.tally().pending == 0
    assert all(v == "box" for v in sim.state.values())
    report = st.journal.verify()
    assert report.ok, report.problems


def test_refused_sheets_go_back_and_leave_no_vote(tmp_path: Path) -> None:
    st = make_station(tmp_path)
    st.journal.transition("open", "chair")
    test_ballots = SimScanner(n=6, seed=4, test=True, opt=CLEAN)
    summary = st.scan(test_ballots, "member", member="M. Member")
    assert summary.returned == 6 and summary.counted == 0
    assert summary.reasons == {"test_ballot_in_official_mode": 6}
    assert all(v == "returned" for v in test_ballots.state.values())
    assert st.journal.tally().sheets == 0
    events = [e for e in st.journal.audit_events() if e["kind"] == "sheet_returned"]
    assert len(events) == 6 and all(set(e["detail"]) == {"reason"} for e in events)


def test_test_mode_never_reaches_official_counts(tmp_path: Path) -> None:
    st = make_station(tmp_path)
    st.journal.transition("start_test", "technician")
    st.scan(SimScanner(n=8, seed=5, test=True, opt=CLEAN), "member", member="M. Member")
    assert st.journal.tally("test").sheets == 8
    assert st.journal.official_total() == 0
    official = SimScanner(n=2, seed=6, opt=CLEAN)
    assert st.scan(official, "member", member="M. Member").reasons == {"official_ballot_in_test_mode": 2}
    assert isinstance(st.journal.transition("end_test", "chair"), Allowed)
    assert st.journal.tally("test").sheets == 0  # leaving test mode clears test data
    assert isinstance(st.journal.transition("open", "chair"), Allowed)
    assert st.journal.verify().ok


def test_polls_do_not_open_over_counted_ballots(tmp_path: Path) -> None:
    st = make_station(tmp_path)
    st.journal.transition("open", "chair")
    st.scan(SimScanner(n=3, seed=7, opt=CLEAN), "member", member="M. Member")
    # Someone forces the state back (a wrong button, a bad restore): open must still refuse.
    st.journal.db.execute("UPDATE meta SET value='configured' WHERE key='state'")
    verdict = st.journal.transition("open", "chair")
    assert isinstance(verdict, Refused) and verdict.code == "counts_not_zero"
    assert any(
        e["kind"] == "refused" and e["detail"]["code"] == "counts_not_zero" for e in st.journal.audit_events()
    )


def test_scan_refused_when_not_open(tmp_path: Path) -> None:
    st = make_station(tmp_path)
    with pytest.raises(SanaqError) as info:
        st.scan(SimScanner(n=1, opt=CLEAN), "member", member="M. Member")
    assert info.value.code == "action_not_allowed_now"


def test_review_decision_is_recorded_with_who_and_why(tmp_path: Path) -> None:
    st = make_station(tmp_path)
    st.journal.transition("open", "chair")
    sim = SimScanner(style="MZ-LIST", n=30, seed=8, opt=DeckOptions(hesitation=1.0, streak=0.0))
    st.scan(sim, "member", member="M. Member")
    st.journal.transition("close", "chair")  # reviews are decided after the polls close
    waiting = st.journal.review_sheets()
    assert waiting
    sheet_id, reading = waiting[0]
    assert reading["contests"][0]["outcome"] == "review"
    before = counters(st.journal)["mazhilis-list"]
    st.journal.decide_review(
        sheet_id,
        [{"contest": "mazhilis-list", "outcome": "vote", "choice": "amanat"}],
        "chair",
        "A. Chair",
        "the dot is a hesitation; the tick is clear",
    )
    after = counters(st.journal)["mazhilis-list"]
    assert after.get("review", 0) == before["review"] - 1
    assert after.get("option:amanat", 0) == before.get("option:amanat", 0) + 1
    with pytest.raises(SanaqError) as info:
        st.journal.decide_review(sheet_id, [], "chair", "A. Chair", "again")
    assert info.value.code == "sheet_already_decided"
    record = next(r for r in st.journal.cast_vote_records() if r["id"] == sheet_id)
    assert record["decision"]["who"] == "A. Chair" and record["decision"]["why"].startswith("the dot")
    assert st.journal.verify().ok


# --- secrecy -----------------------------------------------------------------------------------------------


def test_records_reveal_no_order(tmp_path: Path) -> None:
    st = make_station(tmp_path, mirror=False)
    st.journal.transition("open", "chair")
    sim = SimScanner(style="AST-LIST", n=30, seed=9, opt=CLEAN)
    st.scan(sim, "member", member="M. Member")
    ids = [r["id"] for r in st.journal.cast_vote_records()]
    assert ids == sorted(ids) and len(set(ids)) == 30 and all(len(i) == 32 for i in ids)
    # Sheet events carry no time and name no sheet.
    for e in st.journal.audit_events():
        if e["kind"].startswith("sheet_"):
            assert e["at"] is None
            assert not any(i in json.dumps(e) for i in ids)
    # A session change empties the WAL, whose frames are in commit (= voting) order.
    st.journal.transition("pause", "chair")
    assert (tmp_path / "j.sqlite-wal").stat().st_size == 0
    # Scanner handles (file names follow the scan order) are gone from the file once settled.
    st.journal.close()
    raw = (tmp_path / "j.sqlite").read_bytes()
    wal = tmp_path / "j.sqlite-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    assert b"sim-9-0000" not in raw
    db = sqlite3.connect(tmp_path / "j.sqlite")
    assert {r[0] for r in db.execute("SELECT DISTINCT session FROM sheets")} == {2}


# --- tamper evidence -----------------------------------------------------------------------------------


def _tamper(path: Path, sql: str) -> None:
    db = sqlite3.connect(path)
    db.execute(sql)
    db.commit()
    db.close()


@pytest.mark.parametrize(
    "sql,problem",
    [
        (
            'UPDATE sheets SET reading = replace(reading, \'"outcome":"blank"\', \'"outcome":"vote"\')',
            "counters differ",
        ),
        (
            "UPDATE counters SET n = n + 1 WHERE key LIKE 'option:%' AND rowid IN (SELECT rowid FROM counters LIMIT 1)",
            "counters differ",
        ),
        ("UPDATE audit SET role = 'member' WHERE seq = 2", "hash does not match"),
        ("DELETE FROM audit WHERE seq = 3", "previous hash"),
    ],
)
def test_verify_catches_tampering(tmp_path: Path, sql: str, problem: str) -> None:
    st = make_station(tmp_path, mirror=False)
    st.journal.transition("open", "chair")
    st.scan(SimScanner(style="MZ-LIST", n=20, seed=10, opt=CLEAN), "member", member="M. Member")
    st.journal.transition("pause", "chair")  # a checkpoint over these 20 records
    st.journal.close()
    if "rowid" in sql:  # counters is WITHOUT ROWID: bump one option count instead
        sql = "UPDATE counters SET n = n + 1 WHERE key = (SELECT key FROM counters WHERE key LIKE 'option:%' LIMIT 1)"
    _tamper(tmp_path / "j.sqlite", sql)
    report = Journal.open(tmp_path / "j.sqlite", FixedClock()).verify()
    assert not report.ok
    assert any(problem in p for p in report.problems), report.problems


def test_verify_catches_a_record_rewritten_with_its_counters(tmp_path: Path) -> None:
    """A careful forger changes a vote and the counters together: the checkpoint still knows."""
    st = make_station(tmp_path, mirror=False)
    st.journal.transition("open", "chair")
    st.scan(SimScanner(style="MZ-LIST", n=20, seed=10, opt=CLEAN), "member", member="M. Member")
    st.journal.transition("pause", "chair")
    db = st.journal.db
    sheet_id, reading = next((i, json.loads(r)) for i, r in db.execute("SELECT id, reading FROM sheets"))
    old = sheet_keys(reading)[0]
    forged = "jsdp" if old.key == "option:auyl" else "auyl"
    reading["contests"][0].update(outcome="vote", choice=forged)
    db.execute(
        "UPDATE sheets SET reading=? WHERE id=?", (json.dumps(reading, separators=(",", ":")), sheet_id)
    )
    db.execute(
        "UPDATE counters SET n=n-1 WHERE mode='official' AND contest='mazhilis-list' AND key=?", (old.key,)
    )
    db.execute(
        "INSERT INTO counters VALUES ('official','mazhilis-list',?,1) ON CONFLICT DO UPDATE SET n=n+1",
        (f"option:{forged}",),
    )
    assert not any("counters" in p for p in st.journal.verify().problems)  # the counters alone look fine
    report = st.journal.verify()
    assert not report.ok and "records differ from the last checkpoint" in report.problems


# --- crashes and faults ------------------------------------------------------------------------------


def _deck(tmp: Path, n: int, style: str = "AST-SMD-07", seed: int = 12) -> list[SheetTruth]:
    pkg = load_election(None)
    return write_deck(pkg.election, pkg.election_hash, style, n, seed, tmp / "inbox", CLEAN)


def test_power_cut_between_record_and_drop_is_settled(tmp_path: Path) -> None:
    truths = _deck(tmp_path, 4)
    st = make_station(tmp_path)
    st.journal.transition("open", "chair")
    folder = FolderScanner(tmp_path / "inbox", accepted="names")  # the names say which sheets
    sheets = list(folder.feed())
    reader = st.reader("official")
    from kiosk.station.service import fingerprints, reading_record

    ids = []
    for fed in sheets[:3]:
        r = reader.read_sheet(list(fed.images))
        ids.append(
            st.journal.record_sheet(
                "official", r.style or "", reading_record(r), fingerprints(fed.images), fed.handle
            )
        )
    # Power cut: sheet 0 never dropped (still held), sheet 1 dropped but not confirmed, sheet 2 returned.
    folder.accept(sheets[1].handle)
    folder.return_sheet(sheets[2].handle, "jam")
    st.journal.close()
    st2 = Station(
        Journal.open(tmp_path / "j.sqlite", FixedClock(), tmp_path / "usb" / "j.sqlite"),
        load_election(None),
        development=True,
    )
    assert len(st2.journal.pending()) == 3
    summary = st2.scan(FolderScanner(tmp_path / "inbox", accepted="names"), "member", member="M. Member")
    assert summary.settled == 3
    # 0 and 1 are in the box and counted once; 2 went back and is not counted; 3 is read fresh.
    assert sorted(
        p.name for p in (tmp_path / "inbox" / "accepted").iterdir() if p.suffix == ".jpg"
    ) == sorted(f"{t.style}-{t.sheet}.{s}.jpg" for t in (truths[0], truths[1], truths[3]) for s in "ab")
    assert st2.journal.tally().sheets == 3 and st2.journal.tally().pending == 0
    assert counters(st2.journal) == expected_tally([truths[0], truths[1], truths[3]])
    assert st2.journal.verify().ok


def test_unknown_whereabouts_asks_the_commission(tmp_path: Path) -> None:
    st = make_station(tmp_path)
    st.journal.transition("open", "chair")
    sim = SimScanner(style="AST-LIST", n=2, seed=13, opt=CLEAN)
    fed = next(sim.feed())
    r = st.reader("official").read_sheet(list(fed.images))
    from kiosk.station.service import fingerprints, reading_record

    st.journal.record_sheet(
        "official", r.style or "", reading_record(r), fingerprints(fed.images), fed.handle
    )
    sim.state.clear()  # the scanner lost power and remembers nothing
    with pytest.raises(SanaqError) as info:
        st.settle(sim)
    assert info.value.code == "pending_needs_commission"
    assert st.journal.tally().pending == 1  # nothing guessed
    st.settle(sim, ask=lambda handle: ("box", "secretary", "B. Secretary"))
    assert st.journal.tally().pending == 0 and st.journal.tally().sheets == 1
    decided = [e for e in st.journal.audit_events() if e["kind"] == "pending_decided"]
    assert decided[0]["detail"] == {"answer": "box", "who": "B. Secretary"}
    assert decided[0]["role"] == "secretary"  # who answered, not "chair" whoever it was


def test_disk_full_returns_the_sheet_and_keeps_everything(tmp_path: Path) -> None:
    st = make_station(tmp_path, mirror=False)
    st.journal.transition("open", "chair")
    sim = SimScanner(style="MZ-SMD-02", n=200, seed=14, opt=CLEAN)
    first = st.scan(sim, "member", limit=5, member="M. Member")
    assert first.counted == 5
    before = counters(st.journal)
    pages = st.journal.db.execute("PRAGMA page_count").fetchone()[0]
    st.journal.db.execute(f"PRAGMA max_page_count={pages}")  # the disk is now full
    summary = st.scan(sim, "member", member="M. Member")
    assert summary.stopped == "journal_disk_full"
    returned = [h for h, v in sim.state.items() if v == "returned"]
    assert len(returned) == 1  # the sheet being recorded went back to the voter
    assert counters(st.journal) == before and st.journal.tally().pending == 0
    st.journal.db.execute("PRAGMA max_page_count=1073741823")
    assert st.journal.verify().ok


def test_mirror_vanishing_stops_counting_and_loses_nothing(tmp_path: Path) -> None:
    st = make_station(tmp_path)
    st.journal.transition("open", "chair")
    sim = SimScanner(style="AST-LIST", n=10, seed=15, opt=CLEAN)
    st.scan(sim, "member", limit=3, member="M. Member")

    feed = sim.feed

    def pulled_as_the_next_sheet_comes_in() -> Iterator[FedSheet]:
        shutil.rmtree(tmp_path / "usb")  # the stick is pulled, inside the next scan session
        yield from feed()

    sim.feed = pulled_as_the_next_sheet_comes_in  # type: ignore[method-assign]
    summary = st.scan(sim, "member", member="M. Member")
    assert summary.stopped == "mirror_unavailable"
    held = [h for h, v in sim.state.items() if v == "held"]
    assert len(held) == 1  # not dropped: it is pending in the primary, and will be settled
    assert st.journal.tally().sheets == 4 and st.journal.tally().pending == 1
    st.journal.db.close()
    with pytest.raises(SanaqError) as info:
        Journal.open(tmp_path / "j.sqlite", FixedClock(), tmp_path / "usb" / "j.sqlite")
    assert info.value.code == "mirror_unavailable"


def test_a_scan_started_without_the_mirror_reads_nothing(tmp_path: Path) -> None:
    """The scan session's audit link (the scanner's identity) is written first: with the
    stick already gone, the session stops before a sheet is fed, and nothing is pending."""
    st = make_station(tmp_path)
    st.journal.transition("open", "chair")
    shutil.rmtree(tmp_path / "usb")
    sim = SimScanner(style="AST-LIST", n=3, seed=15, opt=CLEAN)
    summary = st.scan(sim, "member", member="M. Member")
    assert (summary.stopped, summary.counted, sim.state) == ("mirror_unavailable", 0, {})
    assert st.journal.tally().sheets == 0 and st.journal.tally().pending == 0


def test_mirror_difference_is_shown_not_merged(tmp_path: Path) -> None:
    st = make_station(tmp_path)
    st.journal.transition("open", "chair")
    st.scan(SimScanner(style="AST-LIST", n=4, seed=16, opt=CLEAN), "member", member="M. Member")
    st.journal.close()
    _tamper(tmp_path / "usb" / "j.sqlite", "DELETE FROM sheets WHERE id = (SELECT id FROM sheets LIMIT 1)")
    mirror_bytes = (tmp_path / "usb" / "j.sqlite").read_bytes()
    with pytest.raises(SanaqError) as info:
        Journal.open(tmp_path / "j.sqlite", FixedClock(), tmp_path / "usb" / "j.sqlite")
    assert info.value.code == "mirror_differs"
    assert (tmp_path / "usb" / "j.sqlite").read_bytes() == mirror_bytes  # untouched
    assert Journal.open(tmp_path / "j.sqlite", FixedClock()).tally().sheets == 4


def test_corrupted_journal_page_is_refused(tmp_path: Path) -> None:
    st = make_station(tmp_path, mirror=False)
    st.journal.transition("open", "chair")
    st.scan(SimScanner(style="MZ-SMD-02", n=30, seed=17, opt=CLEAN), "member", member="M. Member")
    st.journal.close()
    path = tmp_path / "j.sqlite"
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 4 * page
    # A page of garbage in the middle of the file: the first b-tree page after page 3.
    n = next(i for i in range(3, len(data) // page) if data[i * page] in (0x0D, 0x05, 0x0A, 0x02))
    data[n * page : (n + 1) * page] = bytes((i * 37 + 11) % 256 for i in range(page))
    path.write_bytes(bytes(data))
    with pytest.raises(SanaqError) as info:
        Journal.open(path, FixedClock())
    assert info.value.code == "journal_corrupt"


def test_journal_is_not_overwritten(tmp_path: Path) -> None:
    make_station(tmp_path).journal.close()
    with pytest.raises(SanaqError) as info:
        make_station(tmp_path)
    assert info.value.code == "journal_exists"


def test_mirror_one_commit_behind_after_a_power_cut_catches_up(tmp_path: Path) -> None:
    st = make_station(tmp_path)
    st.journal.transition("open", "chair")
    st.scan(SimScanner(style="AST-LIST", n=3, seed=18, opt=CLEAN), "member", member="M. Member")
    st.journal.close()
    # The power goes between the primary's commit and the mirror's: only the primary has it.
    alone = Journal.open(tmp_path / "j.sqlite", FixedClock())
    alone.transition("pause", "chair")
    alone.close()
    j = Journal.open(tmp_path / "j.sqlite", FixedClock(), tmp_path / "usb" / "j.sqlite")
    # A note of the old copy is kept (its head, links, digest), not its bytes (attack6).
    note = json.loads((tmp_path / "usb" / "j.sqlite.behind-2").read_text())
    assert note["format"] == "sanaq.mirror-behind/1" and note["links_behind"] == 2
    assert j.state == "paused" and j.verify().ok
    j.close()
    again = Journal.open(tmp_path / "j.sqlite", FixedClock(), tmp_path / "usb" / "j.sqlite")
    assert any(e["kind"] == "mirror_caught_up" for e in again.audit_events())
    again.close()
    # A second cut at the same point keeps both notes.
    alone = Journal.open(tmp_path / "j.sqlite", FixedClock())
    alone.transition("resume", "chair")
    alone.close()
    Journal.open(tmp_path / "j.sqlite", FixedClock(), tmp_path / "usb" / "j.sqlite").close()
    assert (tmp_path / "usb" / "j.sqlite.behind-2").exists() and (
        tmp_path / "usb" / "j.sqlite.behind-2.2"
    ).exists()


def test_power_cut_in_the_middle_of_a_drop_leaves_no_second_sheet(tmp_path: Path) -> None:
    """Found by benchmarks/crash.py: one side moved to the box, the other still in the inbox."""
    truths = _deck(tmp_path, 3, seed=19)
    st = make_station(tmp_path)
    st.journal.transition("open", "chair")
    folder = FolderScanner(tmp_path / "inbox")
    first = next(folder.feed())
    r = st.reader("official").read_sheet(list(first.images))
    from kiosk.station.service import fingerprints, reading_record

    st.journal.record_sheet(
        "official", r.style or "", reading_record(r), fingerprints(first.images), first.handle
    )
    # The cut, half-way through the drop: the intent marker is written, one side has moved.
    (tmp_path / "inbox" / f".moving-{first.handle}").write_text("accepted")
    a_side = sorted((tmp_path / "inbox").glob(f"{first.handle}.*.jpg"))[0]
    a_side.rename(tmp_path / "inbox" / "accepted" / a_side.name)
    summary = st.scan(FolderScanner(tmp_path / "inbox"), "member", member="M. Member")
    assert summary.settled == 1 and summary.counted == 2
    assert st.journal.tally().sheets == 3
    assert counters(st.journal) == expected_tally(truths)
    assert not list((tmp_path / "inbox").glob("*.jpg"))
    assert not list((tmp_path / "inbox").glob(".moving-*"))


def test_a_reused_file_name_is_a_new_sheet_and_the_old_file_is_kept(tmp_path: Path) -> None:
    pkg = load_election(None)
    first = write_deck(pkg.election, pkg.election_hash, "AST-LIST", 2, 21, tmp_path / "inbox", CLEAN)
    st = make_station(tmp_path)
    st.journal.transition("open", "chair")
    assert (
        st.scan(FolderScanner(tmp_path / "inbox", accepted="random"), "member", member="M. Member").counted
        == 2
    )
    # The scanner software starts its numbering again: same names, new ballots.
    second = write_deck(pkg.election, pkg.election_hash, "AST-LIST", 2, 22, tmp_path / "inbox", CLEAN)
    assert (
        st.scan(FolderScanner(tmp_path / "inbox", accepted="random"), "member", member="M. Member").counted
        == 2
    )
    assert st.journal.tally().sheets == 4
    assert counters(st.journal) == expected_tally(first + second)
    assert len(list((tmp_path / "inbox" / "accepted").glob("*.jpg"))) == 8


def test_the_same_image_twice_is_never_a_second_ballot(tmp_path: Path) -> None:
    st = make_station(tmp_path)
    st.journal.transition("open", "chair")
    sim = SimScanner(style="AST-LIST", n=2, seed=20, opt=CLEAN)
    st.scan(sim, "member", member="M. Member")
    again = SimScanner(style="AST-LIST", n=2, seed=20, opt=CLEAN)  # the same bytes replayed
    summary = st.scan(again, "member", member="M. Member")
    assert summary.stopped == "sheet_already_counted" and summary.counted == 0
    assert list(again.state.values()) == ["held"]  # neither dropped nor handed back: people look
    assert st.journal.tally().sheets == 2 and st.journal.verify().ok


def test_station_commands(tmp_path: Path) -> None:
    import subprocess
    import sys

    def sanaq(*args: str) -> subprocess.CompletedProcess[str]:
        # The sample package and sim: are development tools: the switch, named explicitly.
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "kiosk.cli",
                "station",
                "--data",
                str(tmp_path / "st"),
                "--development",
                *args,
            ],
            capture_output=True,
            text=True,
        )

    tech = ("--role", "technician", "--member", "T. Technician")
    chair = ("--role", "chair", "--member", "A. Chair")
    member = ("--role", "member", "--member", "M. Member")
    assert sanaq(*tech, "init", "--mirror", str(tmp_path / "usb" / "j.sqlite")).returncode == 0
    again = sanaq(*tech, "init")
    assert (
        again.returncode == 2
        and json.loads(again.stderr.splitlines()[-1])["error"]["code"] == "journal_exists"
    )
    refused = sanaq(*member, "open")
    assert (
        refused.returncode == 2
        and json.loads(refused.stderr.splitlines()[-1])["error"]["code"] == "role_not_allowed"
    )
    assert sanaq(*chair, "open").returncode == 0
    assert json.loads((tmp_path / "st" / "reports" / "zero-report.json").read_text())["sheets"] == 0
    scan = sanaq(*member, "scan", "sim:?style=AST-SMD-07&n=6&seed=2")
    assert scan.returncode == 0, scan.stderr
    assert json.loads(scan.stdout)["counted"] == 6
    tally = json.loads(sanaq("tally", "--json").stdout)
    contest = tally["contests"]["astana-maslikhat-smd-7"]
    assert (
        tally["sheets"] == 6
        and sum(contest["options"].values())
        + contest["blank"]
        + contest["overvote"]
        + contest["review_pending"]
        == 6
    )
    status = json.loads(sanaq("status", "--json").stdout)
    assert status["state"] == "open" and status["official_sheets"] == 6 and status["mirror"]
    assert json.loads(sanaq("verify").stdout)["ok"]
    bad = sanaq(*chair, "settle", "nope", "--answer", "box", "--who", "X")
    assert (
        bad.returncode == 2
        and json.loads(bad.stderr.splitlines()[-1])["error"]["code"] == "sheet_not_pending"
    )
    assert len(sanaq("cvr").stdout.splitlines()) == 6
    assert sanaq(*chair, "close").returncode == 0
    batch = sanaq(*member, "scan", "sim:?style=AST-SMD-07&n=1&seed=3")  # the portable box
    assert json.loads(batch.stdout)["counted"] == 1
    assert sanaq(*member, "finalise").returncode == 2  # the chair finalises
    assert sanaq(*chair, "finalise").returncode == 0
    late = sanaq(*member, "scan", "sim:?n=1&seed=4")
    assert (
        late.returncode == 2
        and json.loads(late.stderr.splitlines()[-1])["error"]["code"] == "action_not_allowed_now"
    )


# --- the second chance (issue 14): the station asks before it gives an invalid ballot back ---------


def test_second_chance_callback_returns_or_casts_as_invalid(tmp_path: Path) -> None:
    import dataclasses

    pkg = load_election(None)
    e = pkg.election
    rules = e.rules.model_copy(update={"return_invalid_to_voter": True})
    pkg = dataclasses.replace(pkg, election=e.model_copy(update={"rules": rules}))
    journal = Journal.create(tmp_path / "j.sqlite", pkg.election_hash, "379", FixedClock())
    station = Station(journal, pkg, development=True)
    station.transition("open", "chair")
    scanner = SimScanner(style="MZ-LIST", n=24, seed=5)
    scanner.package = pkg
    asked: list[tuple[tuple[str, str], ...]] = []

    def second_chance(problems: tuple[tuple[str, str], ...]) -> str:
        asked.append(problems)
        return "cast" if len(asked) % 2 else "return"

    summary = station.scan(scanner, "member", second_chance=second_chance, member="M. Member")  # type: ignore[arg-type]
    truth = [t.contests[0] for t in scanner.truth.values()]
    invalid = sum(c.outcome in ("blank", "overvote") for c in truth)
    assert invalid >= 2 and len(asked) == invalid
    # Asked with the contests concerned and their outcome, nothing else.
    assert all(len(p) == 1 and p[0][0] == "mazhilis-list" and p[0][1] in ("blank", "overvote") for p in asked)
    cast, back = (len(asked) + 1) // 2, len(asked) // 2
    assert (summary.cast_as_is, summary.returned, summary.counted) == (cast, back, 24 - back)
    assert summary.reasons == {"invalid_returned": back}
    tally = journal.tally()
    c = tally.contests["mazhilis-list"]
    assert tally.sheets == 24 - back and c.get("blank", 0) + c.get("overvote", 0) == cast
    assert journal.pending() == []
    assert Counter(scanner.state.values()) == {"box": 24 - back, "returned": back}
    events = journal.audit_events()
    answers = [ev for ev in events if ev["kind"] == "sheet_second_chance"]
    assert [ev["detail"] for ev in answers] == [
        {"answer": "cast" if i % 2 == 0 else "return"} for i in range(len(asked))
    ]
    # No time and no choice recorded with the answer (secrecy).
    assert all(ev.get("at") is None for ev in answers)
    assert journal.verify().ok

    # Without the callback the package's rule is unchanged: every invalid ballot goes back.
    scanner2 = SimScanner(style="MZ-LIST", n=24, seed=6)
    scanner2.package = pkg
    again = station.scan(scanner2, "member", member="M. Member")
    truth2 = [t.contests[0] for t in scanner2.truth.values()]
    invalid2 = sum(c.outcome in ("blank", "overvote") for c in truth2)
    assert invalid2 >= 1 and (again.returned, again.cast_as_is, again.counted) == (invalid2, 0, 24 - invalid2)
