"""Round 5 attack pass (attack6): what still got through, each case failing before its fix.

Real parts: real journals on disk, real processes racing on one data folder, real export
folders on the file system.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from kiosk.errors import SanaqError
from kiosk.protocol.keys import MAX_PIN_ATTEMPTS, create_member_key, unlock_member_key
from kiosk.protocol.store import ProtocolStore

ROOT = Path(__file__).resolve().parent.parent

_GUESS = """
import sys, time
from pathlib import Path
from kiosk.errors import SanaqError
from kiosk.protocol.keys import unlock_member_key
from kiosk.protocol.store import ProtocolStore
data, pin = Path(sys.argv[1]), sys.argv[2]
store = ProtocolStore.open(data / "journal.sqlite", lambda: "t")
print("ready", flush=True)
while not (data / "go").exists():
    time.sleep(0.002)
try:
    unlock_member_key(data, "aigerim", pin, store)
    print("unlocked", flush=True)
except SanaqError as e:
    print(e.code, flush=True)
"""


def _journal(data: Path) -> None:
    from kiosk.station.journal import Journal
    from kiosk.station.service import FixedClock

    Journal.create(data / "journal.sqlite", "0" * 64, "S1", FixedClock()).close()


def test_pin_guesses_from_processes_started_together_still_lock_out(tmp_path: Path) -> None:
    """Ten processes, started together, each try one wrong PIN. Each used to read "no failure
    yet" before any had recorded its outcome: all ten PINs were tried (with the right one
    among them, it unlocked the key after nine wrong ones; measured before the fix). Now the
    attempts are taken one at a time: MAX_PIN_ATTEMPTS wrong PINs are tried, then the member
    is locked out and even the right PIN is refused."""
    data = tmp_path / "d"
    _journal(data)
    create_member_key(data, "aigerim", "chair", "135790")
    n = 10
    pins = [f"{i:06d}" for i in range(n)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _GUESS, str(data), pin],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for pin in pins
    ]
    for p in procs:  # every process has imported and opened the journal
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    (data / "go").touch()
    outcomes = [p.communicate(timeout=120)[0].strip() for p in procs]
    store = ProtocolStore.open(data / "journal.sqlite", lambda: "t")
    kinds = [ev["kind"] for ev in store.audit_events()]
    assert "unlocked" not in outcomes, outcomes
    assert kinds.count("pin_failed") == MAX_PIN_ATTEMPTS, kinds
    assert kinds.count("pin_ok") == 0 and kinds[-1] == "pin_locked", kinds
    assert outcomes.count("member_pin_wrong") == MAX_PIN_ATTEMPTS - 1
    assert outcomes.count("member_locked") == n - MAX_PIN_ATTEMPTS + 1
    with pytest.raises(SanaqError) as e:
        unlock_member_key(data, "aigerim", "135790", store)
    assert e.value.code == "member_locked"


# --- the export folder: only plain files, nothing followed, nothing huge read whole ------------


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A real finalised station's export (the shared test station of tests/exportkit.py)."""
    import contextlib
    import io
    import json
    import shutil

    from exportkit import shared_station

    from kiosk.cli import main

    tmp = tmp_path_factory.mktemp("export")
    data = tmp / "data"
    shutil.copytree(shared_station(), data)
    protocol = tmp / "MZ-LIST.protocol.jws.json"
    protocol.write_bytes(b'{"payload":"opaque to the export","signatures":[]}')
    stick = tmp / "stick"
    stick.mkdir()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["export", "--data", str(data), "--to", str(stick), "--protocol", str(protocol)]) == 0
    return Path(json.loads(out.getvalue())["export"]), data / "device.pub"


@pytest.fixture
def export_copy(exported: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    import shutil

    folder, pub = exported
    copy = tmp_path / "stick" / folder.name
    shutil.copytree(folder, copy)
    return copy, pub


def _verify(folder: Path, pub: Path) -> tuple[bool, str | None, tuple[str, ...]]:
    from kiosk.protocol import export as ex

    r = ex.verify_export(folder, ex.load_public_key(pub))
    return r.ok, r.code, r.problems


def test_a_linked_folder_with_one_more_protocol_does_not_verify(
    export_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    """`protocols/` replaced by a link to a folder holding the same protocol and one more (a
    forged one): the listed file matched, the extra one was never seen (rglob does not enter a
    linked folder), and `export verify` said the export was complete and unchanged."""
    import shutil

    folder, pub = export_copy
    assert _verify(folder, pub)[0]
    outside = tmp_path / "outside"
    shutil.copytree(folder / "protocols", outside)
    (outside / "EXTRA.protocol.jws.json").write_bytes(b'{"payload":"forged","signatures":[]}')
    shutil.rmtree(folder / "protocols")
    (folder / "protocols").symlink_to(outside)
    ok, code, problems = _verify(folder, pub)
    assert not ok and code == "export_not_plain_file", problems
    assert problems == ("protocols: a link or a special file",)


def test_a_listed_file_that_is_a_link_does_not_verify(export_copy: tuple[Path, Path], tmp_path: Path) -> None:
    """The CVR file replaced by a link to a copy of itself off the stick verified: what was
    checked was not on the stick, and a copy of the folder would carry a link."""
    import shutil

    folder, pub = export_copy
    cvr = folder / "cvr.nist-1500-103.json"
    shutil.copy(cvr, tmp_path / "cvr.json")
    cvr.unlink()
    cvr.symlink_to(tmp_path / "cvr.json")
    ok, code, problems = _verify(folder, pub)
    assert (
        not ok
        and code == "export_not_plain_file"
        and problems == ("cvr.nist-1500-103.json: a link or a special file",)
    )


def test_a_fifo_as_the_manifest_does_not_hang_verify(export_copy: tuple[Path, Path]) -> None:
    """A FIFO named MANIFEST.jws.json: `export verify` opened it and waited for a writer for
    ever. Now it is refused at once without being opened."""
    import os
    import threading

    folder, pub = export_copy
    manifest = folder / "MANIFEST.jws.json"
    manifest.unlink()
    os.mkfifo(manifest)
    result: list[tuple[bool, str | None, tuple[str, ...]]] = []
    t = threading.Thread(target=lambda: result.append(_verify(folder, pub)), daemon=True)
    t.start()
    t.join(timeout=20)
    if t.is_alive():  # release the reader before failing
        fd = os.open(manifest, os.O_WRONLY)
        os.close(fd)
        t.join(timeout=5)
    assert result, "verify was still waiting on the FIFO after 20 s"
    ok, code, _ = result[0]
    assert not ok and code == "export_not_plain_file"


def test_a_huge_file_in_place_of_a_listed_one_is_not_read_whole(export_copy: tuple[Path, Path]) -> None:
    """The results file replaced by a 64 MiB file (sparse: no disk needed): it was read whole
    into memory before its size was compared (twice its size at the peak). Now the size is
    taken from the file system first."""
    import tracemalloc

    folder, pub = export_copy
    results = folder / "results.nist-1500-100.json"
    with results.open("r+b") as f:
        f.truncate(64 << 20)
    tracemalloc.start()
    try:
        ok, code, problems = _verify(folder, pub)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not ok and code == "export_file_changed", problems
    assert peak < 8 << 20, peak


# --- the kiosk window and the command line on one data folder ------------------------------------


def _busy(data: Path) -> bool:
    """Whether another open file description holds DATA/.lock (a probe, released at once)."""
    import fcntl
    import os

    try:
        fd = os.open(data / ".lock", os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def test_the_kiosk_window_does_not_start_beside_a_station_command(tmp_path: Path) -> None:
    """`sanaq station scan` (or any writing command) holds the station's data lock; the kiosk
    window did not look at it and would have opened the same journal and the same scanner
    beside it (issue 11's double feed, between the window and the command line)."""
    import json
    import os

    from kiosk.station.datalock import lock_data

    data = tmp_path / "data"
    data.mkdir()
    fd = lock_data(data)
    assert fd is not None
    try:
        env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "KIVY_NO_ARGS": "1"}
        p = subprocess.run(
            [sys.executable, "-m", "kiosk.cli", "kiosk", "--data", str(data), "--windowed", "--development"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            env=env,
        )
    finally:
        os.close(fd)
    assert p.returncode == 2, p.stderr[-2000:]
    err = json.loads(p.stderr.strip().splitlines()[-1])["error"]
    assert err["code"] == "station_busy" and err["kk"] and err["ru"] and err["en"]


@pytest.mark.skipif(not Path("/usr/bin/xvfb-run").exists(), reason="needs xvfb-run for a real window")
def test_no_station_command_runs_beside_the_kiosk_window(tmp_path: Path) -> None:
    """The real window (under Xvfb) holds the lock while it runs: `sanaq station status` and
    `sanaq station ... open` are refused with station_busy; closed, the lock is gone with it."""
    import json
    import os
    import signal

    data = tmp_path / "data"
    kiosk = subprocess.Popen(
        ["xvfb-run", "-a", sys.executable, "-m", "kiosk.cli", "kiosk", "--data", str(data), "--windowed"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not _busy(data):
            assert kiosk.poll() is None and time.monotonic() < deadline, "the window never held the lock"
            time.sleep(0.2)
        for argv in (["status"], ["--role", "chair", "--member", "aigerim", "open"]):
            p = subprocess.run(
                [sys.executable, "-m", "kiosk.cli", "station", "--data", str(data), *argv],
                capture_output=True,
                text=True,
                timeout=60,
                cwd=ROOT,
            )
            assert p.returncode == 2, p.stderr[-2000:]
            assert json.loads(p.stderr.strip().splitlines()[-1])["error"]["code"] == "station_busy"
    finally:
        os.killpg(kiosk.pid, signal.SIGTERM)
        kiosk.wait(timeout=30)
    deadline = time.monotonic() + 30  # the window's process ends a moment after xvfb-run
    while _busy(data) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _busy(data)


# --- secrecy: a review decided while the polls are open (closed by secret7) ----------------------


def _decide_blank(st: Any, sheet: str, reading: dict[str, Any]) -> None:
    contest = reading["contests"][0]["contest"]
    decision = [{"contest": contest, "outcome": "blank", "choice": None}]
    st.journal.decide_review(sheet, decision, "chair", "C. Chair", "unclear")


def _placed(db_path: Path) -> tuple[int, list[int], dict[str, str]]:
    """The attacker, with one copy of the journal after close and sqlite3 only: how many
    `sheet_recorded` links, how many come before each `review_decided` link, and the decided
    records (id -> who)."""
    import json
    import sqlite3

    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    counted, placed = 0, []
    for (kind,) in db.execute("SELECT kind FROM audit ORDER BY seq"):
        counted += kind == "sheet_recorded"
        if kind == "review_decided":
            placed.append(counted)
    decided = {
        str(sid): json.loads(d)["who"]
        for sid, d in db.execute("SELECT id, decision FROM sheets WHERE decision IS NOT NULL")
    }
    db.close()
    return counted, placed, decided


def test_a_review_cannot_be_decided_while_open_so_nothing_places_that_ballot(tmp_path: Path) -> None:
    """Found by attack6 (docs/station.md): the commission decided a sheet set aside for review
    while the polls were open, right after it was scanned (as the kiosk's review screen
    allowed); the `review_decided` link then sat in the chain after as many `sheet_recorded`
    links as sheets had been counted, and the decided record is the one whose `decision` is set:
    one copy after close gave that record's marks to the k-th voter. Now the same commission,
    trying after every sheet, is refused (`review_while_open`) and decides after close: every
    `review_decided` link follows every `sheet_recorded` link, the place says nothing. On the
    code before the fix the first attempt went through (the attacker placed the sheet at k)."""
    from stationkit import make_station

    from fieldkit.deck import DeckOptions
    from fieldkit.sim import SimScanner

    st = make_station(tmp_path)
    st.transition("open", "chair")
    n = 24
    sim = SimScanner(style="MZ-LIST", n=n, seed=8, opt=DeckOptions(hesitation=0.15, streak=0.0))
    refused = 0
    for k in range(1, n + 1):
        st.scan(sim, "member", member="M. Member", limit=1)
        if k == n // 2:
            st.transition("pause", "chair")  # paused is not closed: refused as well
        for sheet, reading in st.journal.review_sheets():
            with pytest.raises(SanaqError) as err:
                _decide_blank(st, sheet, reading)
            assert err.value.code == "review_while_open"
            refused += 1
        if k == n // 2:
            st.transition("resume", "chair")
    assert refused, "the deck sent no sheet to review"
    st.transition("close", "chair")
    waiting = st.journal.review_sheets()
    for sheet, reading in waiting:
        _decide_blank(st, sheet, reading)
    st.journal.close()
    counted, placed, decided = _placed(tmp_path / "j.sqlite")
    assert counted == n and len(decided) == len(placed) == len(waiting) >= 1
    assert placed == [n] * len(waiting)  # after every sheet: the place names no voter
    # The mirror on the stick says the same.
    assert _placed(tmp_path / "usb" / "j.sqlite") == (counted, placed, decided)


def test_deciding_a_review_while_open_is_refused_and_records_nothing(tmp_path: Path) -> None:
    """The refusal itself writes nothing: a `refused` link at that place would say that a sheet
    waited for review among the sheets counted so far (the leak again, coarser). The sheet still
    waits, the counts are unchanged, the chain (journal and mirror) is byte for byte the same;
    in test mode (test ballots) and after close the commission decides as before."""
    import hashlib

    from stationkit import counters, make_station

    from fieldkit.deck import DeckOptions
    from fieldkit.sim import SimScanner

    def files() -> list[str]:
        return [hashlib.sha256((tmp_path / f).read_bytes()).hexdigest() for f in ("j.sqlite", "usb/j.sqlite")]

    st = make_station(tmp_path)
    opt = DeckOptions(hesitation=1.0, streak=0.0)
    # Test mode: test ballots, whose votes are known and deleted at the end of the test.
    st.transition("start_test", "chair")
    st.scan(SimScanner(style="MZ-LIST", n=6, seed=8, test=True, opt=opt), "member", member="M. Member")
    test_waiting = st.journal.review_sheets("test")
    assert test_waiting
    _decide_blank(st, *test_waiting[0])
    assert len(st.journal.review_sheets("test")) == len(test_waiting) - 1
    st.transition("end_test", "chair")

    st.transition("open", "chair")
    st.scan(SimScanner(style="MZ-LIST", n=6, seed=9, opt=opt), "member", member="M. Member")
    waiting = st.journal.review_sheets()
    assert waiting
    for state in ("open", "paused"):
        if state == "paused":
            st.transition("pause", "chair")
        before = (files(), st.journal.chain_head(), len(st.journal.audit_events()), counters(st.journal))
        for sheet, reading in [*waiting, ("0" * 32, waiting[0][1])]:  # an unknown id: the same answer
            with pytest.raises(SanaqError) as err:
                _decide_blank(st, sheet, reading)
            assert err.value.code == "review_while_open"
        after = (files(), st.journal.chain_head(), len(st.journal.audit_events()), counters(st.journal))
        assert after == before
        assert st.journal.review_sheets() == waiting
    st.transition("close", "chair")
    _decide_blank(st, *waiting[0])
    assert st.journal.review_sheets() == waiting[1:]
    assert st.journal.verify().ok
    st.journal.close()


def test_the_review_list_is_in_random_id_order_not_scan_order(tmp_path: Path) -> None:
    """After close the commission goes through the sheets set aside in the order of their ids,
    which are random (128 bits, `secrets`): the order on screen and in `sanaq station review`
    says nothing of the order the voters fed them. Here 12 or more sheets wait: their scan order
    being the id order by chance has odds under 1 in 400 million."""
    from stationkit import make_station

    from fieldkit.deck import DeckOptions
    from fieldkit.sim import SimScanner

    st = make_station(tmp_path, mirror=False)
    st.transition("open", "chair")
    sim = SimScanner(style="MZ-LIST", n=16, seed=8, opt=DeckOptions(hesitation=1.0, streak=0.0))
    scan_order: list[str] = []
    for _ in range(16):
        st.scan(sim, "member", member="M. Member", limit=1)
        scan_order += [s for s, _ in st.journal.review_sheets() if s not in scan_order]
    st.transition("close", "chair")
    listed = [s for s, _ in st.journal.review_sheets()]
    assert len(listed) >= 12 and sorted(listed) == listed and set(listed) == set(scan_order)
    assert listed != scan_order
    assert all(len(s) == 32 and int(s, 16) >= 0 for s in listed)
    st.journal.close()


def test_the_cli_decides_no_review_while_open_and_lists_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sanaq station decide` while the polls are open: `review_while_open`, exit 2, before its
    `actor` link (which would place a waiting review as the refused link would). `sanaq station
    review` then says only how many wait, not their marks (a sheet's, just after it was fed).
    After close both work as before."""
    import dataclasses
    import json
    import re

    from exportkit import DECK, station_argv

    from fieldkit.sim import SimScanner
    from kiosk.cli import main
    from kiosk.cli.station import open_station

    data = tmp_path / "data"
    for action in ("init", "open"):
        assert main(station_argv(data, action)) == 0, action
    station = open_station(data, None, development=True)
    opt = dataclasses.replace(DECK, hesitation=1.0)
    assert station.scan(SimScanner(n=4, seed=8, opt=opt), "member", member="M. Member").stopped is None
    waiting = station.journal.review_sheets()
    links = len(station.journal.audit_events())
    station.journal.close()
    assert waiting
    sheet, reading = waiting[0]
    contest = reading["contests"][0]["contest"]
    decide = ["decide", sheet, "--contest", contest, "--outcome", "blank", "--who", "C", "--why", "unclear"]
    capsys.readouterr()
    assert main(station_argv(data, *decide)) == 2
    err = json.loads(capsys.readouterr().err.splitlines()[-1])["error"]  # after a clock warning
    assert err["code"] == "review_while_open"
    assert main(station_argv(data, "review")) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == {"review_waiting": len(waiting), "decide": "after close"}
    assert "marks" not in out and sheet not in out
    station = open_station(data, None, development=True)
    assert len(station.journal.audit_events()) == links  # nothing written
    assert station.journal.review_sheets() == waiting
    station.journal.close()
    assert main(station_argv(data, "close")) == 0
    capsys.readouterr()
    assert main(station_argv(data, "review")) == 0
    listed = re.findall(r'"sheet": "([0-9a-f]{32})"', capsys.readouterr().out)
    assert listed == [s for s, _ in waiting]
    assert main(station_argv(data, *decide)) == 0
    station = open_station(data, None, development=True)
    assert [s for s, _ in station.journal.review_sheets()] == listed[1:]
    station.journal.close()


# --- two processes writing one journal and its mirror ------------------------------------------

_WRITER = """
import sys, time
from pathlib import Path
from kiosk.protocol.store import ProtocolStore
data, who = Path(sys.argv[1]), sys.argv[2]
store = ProtocolStore.open(data / "j.sqlite", lambda: "t")
print("ready", flush=True)
while not (data / "go").exists():
    time.sleep(0.001)
for k in range(40):
    store.audit("pin_failed", who, {"attempt": k})
"""


def test_two_processes_writing_keep_the_mirror_equal(tmp_path: Path) -> None:
    """A write runs on the primary, then on the mirror. `sanaq protocol` takes no data lock
    (a wrong PIN writes a link), so beside a `sanaq station scan` after close, or the kiosk
    window, two processes wrote at once: the primary got A, B and the mirror B, A (measured:
    86 of 121 links differed) and the station then refused to count (`mirror_differs`). Now
    every write holds `<journal>.lock` across processes."""
    import sqlite3

    from kiosk.station.journal import Journal
    from kiosk.station.service import FixedClock

    data = tmp_path / "d"
    Journal.create(data / "j.sqlite", "0" * 64, "S1", FixedClock(), data / "usb" / "j.sqlite").close()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(data), who], stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
        for who in ("m0", "m1")
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    (data / "go").touch()
    for p in procs:
        assert p.wait(timeout=120) == 0

    def links(path: Path) -> list[tuple[object, ...]]:
        db = sqlite3.connect(path)
        rows = db.execute("SELECT seq, kind, detail, hash FROM audit ORDER BY seq").fetchall()
        db.close()
        return rows

    primary, mirror = links(data / "j.sqlite"), links(data / "usb" / "j.sqlite")
    assert len(primary) == 81 and primary == mirror
    j = Journal.open_configured(data / "j.sqlite", FixedClock())  # no mirror_differs
    assert j.verify().ok
    j.close()


# --- the receipt key is an enrolment key (known; analysed, not changed) ---------------------------


def test_a_receipt_and_an_enrolment_signed_by_one_key_are_not_interchangeable() -> None:
    """The intake's receipt key must be in the kiosk's trust map, which vouches for enrolments
    too (docs/sync.md, "Not done yet"). A station or a courier cannot turn one into the other:
    each document's `cty` is checked before its signature. (Whoever holds the key file can sign
    enrolments outright: not testable away, written down.)"""
    import json

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from kiosk.election.package import development_private_key, development_trust
    from kiosk.protocol.keys import raw_public
    from kiosk.protocol.signed import Enrolment, Member, sign_enrolment, verify_enrolment
    from kiosk.sync.wire import Receipt, sign_receipt, verify_receipt

    key, trust = development_private_key(), development_trust()
    keys = [raw_public(Ed25519PrivateKey.generate().public_key()) for _ in range(3)]
    enrolment = Enrolment(
        "0" * 64, "379", keys[0], (Member("a", "chair", keys[1]), Member("b", "secretary", keys[2]))
    )
    enrol_jws = sign_enrolment(enrolment, key)
    assert verify_enrolment(enrol_jws, trust) == enrolment
    receipt = sign_receipt(Receipt("k" * 64, "s" * 64, "379", "c", 1, True, "t", "0" * 64), key)
    assert verify_receipt(receipt, trust).station == "379"
    with pytest.raises(SanaqError) as e:
        verify_enrolment(json.loads(receipt), trust)
    assert e.value.code == "protocol_enrolment_bad"
    with pytest.raises(SanaqError) as e:
        verify_receipt(json.dumps(enrol_jws).encode(), trust)
    assert e.value.code == "sync_receipt_bad"


# --- crash dumps ------------------------------------------------------------------------------

_CRASH = """
import os, resource, sys
resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
ballot = ("BALLOT-IMAGE-" + "x" * 4000) * 64  # what a counting process holds: images, crops
if sys.argv[1] == "sanaq":
    from kiosk.cli import main
    main(["station", "--data", sys.argv[2], "status"])  # any command; this one fails fast
os.abort()
"""


def test_a_crashing_sanaq_process_leaves_no_core_file(tmp_path: Path) -> None:
    """A crash of the counting process wrote its memory (the sheets just read, the review
    crops) to a core file in its working directory. Control: a plain Python process that
    aborts leaves a core file holding what it had in memory (skipped where the kernel writes
    none anyway). The same after any `sanaq` command: no core file."""
    pattern = Path("/proc/sys/kernel/core_pattern").read_text().strip()
    if pattern.startswith("|") or "/" in pattern:
        pytest.skip(f"core files go elsewhere here ({pattern!r})")
    cores = {}
    for who in ("control", "sanaq"):
        cwd = tmp_path / who
        cwd.mkdir()
        p = subprocess.run(
            [sys.executable, "-c", _CRASH, who, str(tmp_path / "no-station")],
            cwd=cwd,
            capture_output=True,
            timeout=120,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        assert p.returncode < 0, p.stderr[-1000:]  # it did crash
        cores[who] = [f for f in cwd.iterdir() if f.name.startswith("core")]
    if not cores["control"]:
        pytest.skip("this kernel wrote no core file even for the control")
    assert b"BALLOT-IMAGE-" in cores["control"][0].read_bytes()
    assert cores["sanaq"] == []


def test_sanaq_commands_run_undumpable() -> None:
    from kiosk.cli import main
    from kiosk.cli.harden import dumpable

    main(["station", "--data", "/nonexistent/sanaq-attack6", "status"])
    import resource

    assert resource.getrlimit(resource.RLIMIT_CORE)[0] == 0
    assert dumpable() == 0


def test_a_manifest_with_a_key_twice_does_not_verify(export_copy: tuple[Path, Path]) -> None:
    """Whoever holds the device key (it is on the kiosk's disk) signs a manifest whose payload
    has "files" twice: first an empty list, then the real one. Python keeps the last and the
    export verified; a verifier that keeps the first key sees a manifest listing nothing. One
    signature, two readings: now refused (the writer makes RFC 8785 bytes only)."""
    import base64

    import rfc8785

    from kiosk.protocol import export as ex

    folder, pub = export_copy
    key = ex.load_private_key(pub.with_name("device.key"))
    manifest = ex.open_manifest((folder / ex.MANIFEST).read_bytes(), key.public_key())
    body = rfc8785.dumps(manifest).decode()
    twice = ('{"files":[],' + body[1:]).encode()
    header = {"alg": "Ed25519", "kid": ex.key_id(key.public_key()), "typ": ex.JWS_TYPE}
    protected = ex.b64u(rfc8785.dumps(header))
    payload = base64.urlsafe_b64encode(twice).rstrip(b"=").decode()
    sig = ex.b64u(key.sign(f"{protected}.{payload}".encode()))
    (folder / ex.MANIFEST).write_bytes(
        rfc8785.dumps({"payload": payload, "protected": protected, "signature": sig})
    )
    ok, code, problems = _verify(folder, pub)
    assert not ok and code == "export_bad_signature", problems
    assert "canonical" in problems[0]


# --- secrecy: the mirror's old copy kept after a power cut -----------------------------------------


def test_the_mirror_copy_set_aside_after_a_power_cut_keeps_no_votes(tmp_path: Path) -> None:
    """A power cut between the primary's commit and the mirror's leaves the mirror one write
    behind; at the next start the mirror is completed and its old copy was kept beside it
    (`j.sqlite.behind-N`) on the USB stick, for good: a snapshot the kiosk kept for the
    attacker. One copy of the stick after close gave the sheets counted after the cut (the
    records the old copy lacked): with the cut at the 6th and last voter, exactly that
    voter's record. Now a note of the old copy is kept (its head and length: it is a strict
    prefix of the primary, so nothing else was evidence) and its bytes are zeroed."""
    import json
    import sqlite3

    from stationkit import CLEAN, make_station

    from fieldkit.sim import SimScanner
    from kiosk.election.load import load_election
    from kiosk.station.journal import Journal
    from kiosk.station.service import FixedClock, Station

    st = make_station(tmp_path)
    st.transition("open", "chair")
    sim = SimScanner(style="AST-LIST", n=6, seed=18, opt=CLEAN)
    st.scan(sim, "member", member="M. Member", limit=5)
    before = {r for (r,) in st.journal.db.execute("SELECT id FROM sheets")}
    mirror_head = st.journal.db.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()[0]
    st.journal.close()
    # The power goes while the 6th sheet is written: the primary has it, the stick does not.
    alone = Station(Journal.open(tmp_path / "j.sqlite", FixedClock()), load_election(None), development=True)
    alone.scan(sim, "member", member="M. Member", limit=1)
    (last,) = {r for (r,) in alone.journal.db.execute("SELECT id FROM sheets")} - before
    alone.journal.close()
    j = Journal.open(tmp_path / "j.sqlite", FixedClock(), tmp_path / "usb" / "j.sqlite")
    j.transition("close", "chair")
    assert j.verify().ok
    j.close()
    # The attacker: the USB stick after close, sqlite3 and a hex editor.
    usb = tmp_path / "usb"
    kept = [p for p in usb.iterdir() if ".behind-" in p.name]
    assert [p.name for p in kept] == [kept[0].name] and kept[0].name.startswith("j.sqlite.behind-")
    raw = kept[0].read_bytes()
    assert not raw.startswith(b"SQLite format 3"), "the old copy itself was kept"
    assert not any(i.encode() in raw for i in (*before, last))
    note = json.loads(raw)
    assert note["head"] == mirror_head and note["links_behind"] >= 1
    db = sqlite3.connect(f"file:{usb / 'j.sqlite'}?mode=ro", uri=True)
    assert {r for (r,) in db.execute("SELECT id FROM sheets")} == before | {last}
    db.close()
