"""Closed by default (issue 11): what the station refuses unless someone explicitly says
otherwise, each case run through the real command line and journal (SQLite on disk),
or through the service where a clock must be set."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from stationkit import CLEAN, calibration_folder

from drivers.serial_scanner import SerialScanner
from fieldkit.deck import write_deck
from fieldkit.emulator import LinkRunner, ScannerDevice, load_deck, run_in_thread
from fieldkit.sim import SimScanner
from kiosk.cli import main
from kiosk.election.load import load_election
from kiosk.election.package import sign_election, trust_from_pem, verify_package
from kiosk.election.sample import sample_election
from kiosk.errors import SanaqError
from kiosk.station.clockcheck import audit_clock_report
from kiosk.station.journal import Journal
from kiosk.station.service import FixedClock, Station

CHAIR = ("--role", "chair", "--member", "A. Chair")
MEMBER = ("--role", "member", "--member", "M. Member")


def sanaq(data: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`sanaq station --data DATA ARGS` run in this process (the command's own `main`, its
    output captured): the same code as the command line without a second start-up per call.
    The concurrency tests below use real separate processes."""
    out, err = io.StringIO(), io.StringIO()
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["station", "--data", str(data), *args])
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def error_code(run: subprocess.CompletedProcess[str]) -> str:
    assert run.returncode == 2, (run.stdout, run.stderr)
    return str(json.loads(run.stderr.splitlines()[-1])["error"]["code"])


@pytest.fixture(scope="module")
def official(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """An official package signed with a headquarters key of the test's own (not the
    development key), its public key, and one signed `official: false`."""
    folder = tmp_path_factory.mktemp("hq")
    key = Ed25519PrivateKey.generate()
    pub = folder / "hq.pub"
    pub.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    e = sample_election()
    pkg = folder / "official.json"
    pkg.write_bytes(sign_election(e, key))
    test_only = e.model_copy(update={"election": e.election.model_copy(update={"official": False})})
    trial = folder / "trial.json"
    trial.write_bytes(sign_election(test_only, key))
    return pkg, pub, trial


def official_station(tmp: Path, official: tuple[Path, Path, Path], development: bool = False) -> Station:
    pkg_path, pub, _ = official
    pkg = verify_package(pkg_path.read_bytes(), trust_from_pem(pub.read_bytes(), "test hq"))
    journal = Journal.create(tmp / "j.sqlite", pkg.election_hash, "379", FixedClock())
    return Station(journal, pkg, development=development)


# --- simulated and emulated scanners ----------------------------------------------------------


def test_sim_does_not_count_officially_without_the_switch(tmp_path: Path, official: Any) -> None:
    st = official_station(tmp_path, official)
    st.journal.transition("open", "chair")
    sim = SimScanner(style="AST-LIST", n=3, seed=1, opt=CLEAN)
    with pytest.raises(SanaqError) as err:
        st.scan(sim, "member", member="M. Member")
    assert err.value.code == "scanner_simulated"
    assert st.journal.tally().sheets == 0 and sim.state == {}
    refused = [e for e in st.journal.audit_events() if e["kind"] == "refused"]
    assert refused[-1]["detail"]["code"] == "scanner_simulated"


def test_sim_counts_in_test_mode_and_under_the_switch_with_its_identity_recorded(
    tmp_path: Path, official: Any
) -> None:
    st = official_station(tmp_path / "a", official)
    st.journal.transition("start_test", "chair")
    assert (
        st.scan(
            SimScanner(style="AST-LIST", n=2, seed=1, test=True, opt=CLEAN), "member", member="M. Member"
        ).counted
        == 2
    )
    st.journal.transition("end_test", "chair")

    dev = official_station(tmp_path / "b", official, development=True)
    dev.journal.transition("open", "chair")
    assert (
        dev.scan(SimScanner(style="AST-LIST", n=2, seed=1, opt=CLEAN), "member", member="M. Member").counted
        == 2
    )
    session = [e for e in dev.journal.audit_events() if e["kind"] == "scan_session"][-1]
    assert session["role"] == "member"
    assert session["detail"]["member"] == "M. Member" and session["detail"]["development"] is True
    assert session["detail"]["scanner"]["simulated"] is True and session["detail"]["scanner"]["kind"] == "sim"


def test_the_serial_emulator_is_recognised_and_refused(tmp_path: Path, official: Any) -> None:
    pkg = load_election(None)
    write_deck(pkg.election, pkg.election_hash, "MZ-LIST", 1, 3, tmp_path / "deck", CLEAN)
    runner = LinkRunner(
        ScannerDevice(load_deck(tmp_path / "deck"), {}, serial="EMU-7"), link=None, tcp_port=0
    )
    thread = run_in_thread(runner)
    scanner = SerialScanner(f"socket://127.0.0.1:{runner.tcp_port}", timeout=0.6, reconnect=2.0)
    try:
        st = official_station(tmp_path, official)
        st.journal.transition("open", "chair")
        with scanner, pytest.raises(SanaqError) as err:
            st.scan(scanner, "member", member="M. Member")
        assert err.value.code == "scanner_simulated"
        identity = scanner.identity()
        assert (identity["model"], identity["serial"], identity["kind"]) == (
            "Sanaq emulator",
            "EMU-7",
            "socket",
        )
        assert st.journal.tally().sheets == 0
    finally:
        scanner.close()
        runner.stop.set()
        thread.join(5)


# --- packages not for official counting ---------------------------------------------------------


def test_a_development_package_is_refused_without_the_switch_and_leaves_nothing(tmp_path: Path) -> None:
    data = tmp_path / "st"
    assert error_code(sanaq(data, *CHAIR, "init")) == "package_not_official"
    assert not (data / "election.json").exists() and not (data / "journal.sqlite").exists()
    # With the switch, named on the command line or in the environment, and labelled.
    made = sanaq(data, *CHAIR, "init", env={"SANAQ_DEVELOPMENT": "1"})
    assert made.returncode == 0, made.stderr
    assert "DEVELOPMENT" in made.stdout
    status = json.loads(sanaq(data, "status", "--json").stdout)
    assert status["package"] == "signed with the DEVELOPMENT key"
    assert error_code(sanaq(data, *CHAIR, "open")) == "package_not_official"
    assert sanaq(data, "--development", *CHAIR, "open").returncode == 0


def test_official_false_is_refused_and_labelled(tmp_path: Path, official: Any) -> None:
    _, pub, trial = official
    data = tmp_path / "st"
    run = sanaq(data, *CHAIR, "--hq-key", str(pub), "init", "--election", str(trial))
    assert error_code(run) == "package_not_official"
    assert "official: false" in json.loads(run.stderr.splitlines()[-1])["error"]["detail"]
    assert not (data / "election.json").exists()
    shown = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "election", "show", str(trial), "--hq-key", str(pub)],
        capture_output=True,
        text=True,
    )  # a real process once: what an operator sees
    assert shown.stdout.startswith("NOT FOR OFFICIAL COUNTING: official: false")


def test_an_official_package_opens_and_counts_nothing_simulated(tmp_path: Path, official: Any) -> None:
    pkg, pub, _ = official
    data = tmp_path / "st"
    key = ("--hq-key", str(pub))
    assert sanaq(data, *CHAIR, *key, "init", "--election", str(pkg)).returncode == 0
    # An official package requires a calibrated scanner before the polls open (issue 16).
    assert error_code(sanaq(data, *CHAIR, *key, "open")) == "calibration_missing"
    source = calibration_folder(tmp_path / "calibration")
    calibrate = ["calibrate", "scanner", "--source", source, "--data", str(data), "--role", "technician"]
    assert main([*calibrate, "--member", "T. Technician", *key]) == 0
    assert sanaq(data, *CHAIR, *key, "open").returncode == 0
    assert json.loads(sanaq(data, *key, "status", "--json").stdout)["package"] == "official"
    assert error_code(sanaq(data, *MEMBER, *key, "scan", "sim:?n=3")) == "scanner_simulated"
    assert json.loads(sanaq(data, *key, "status", "--json").stdout)["official_sheets"] == 0


# --- who acts -----------------------------------------------------------------------------------


def test_every_change_names_role_and_member_and_the_audit_keeps_both(tmp_path: Path) -> None:
    data = tmp_path / "st"
    dev = ("--development",)
    assert error_code(sanaq(data, *dev, "init")) == "actor_required"
    assert error_code(sanaq(data, *dev, "--role", "chair", "init")) == "actor_required"
    assert error_code(sanaq(data, *dev, "--member", "A. Chair", "init")) == "actor_required"
    assert sanaq(data, *dev, *CHAIR, "init").returncode == 0
    assert error_code(sanaq(data, *dev, "open")) == "actor_required"  # no default role any more
    assert sanaq(data, *dev, "--role", "chair", "--member", "B. Deputy", "open").returncode == 0
    assert sanaq(data, "status").returncode == 0  # reading needs no name
    journal = Journal.open(data / "journal.sqlite", FixedClock())
    actors = [
        (e["role"], e["detail"]["action"], e["detail"]["member"])
        for e in journal.audit_events()
        if e["kind"] == "actor"
    ]
    assert actors == [("chair", "init", "A. Chair"), ("chair", "open", "B. Deputy")]
    opened = [e for e in journal.audit_events() if e["kind"] == "open"]
    assert opened[0]["role"] == "chair"


# --- one process at a time ----------------------------------------------------------------------


def test_a_second_writer_is_refused_at_once(tmp_path: Path) -> None:
    data = tmp_path / "st"
    assert sanaq(data, "--development", *CHAIR, "init").returncode == 0
    fd = os.open(data / ".lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another process holds the station
        assert error_code(sanaq(data, "--development", *CHAIR, "open")) == "station_busy"
        assert error_code(sanaq(data, "status")) == "station_busy"
    finally:
        os.close(fd)
    assert sanaq(data, "--development", *CHAIR, "open").returncode == 0


def test_two_scan_processes_count_each_sheet_once_and_return_none(tmp_path: Path) -> None:
    """The race of the issue: two `scan` processes on one folder. Before the lock, a counted
    sheet's files ended in returned/ (3 rounds of 6 here). Now the second is refused with
    station_busy (or, started late, finds nothing left)."""
    pkg = load_election(None)
    dev = ("--development",)
    for r in range(1):
        data, inbox = tmp_path / f"st{r}", tmp_path / f"inbox{r}"
        write_deck(pkg.election, pkg.election_hash, "AST-LIST", 16, r, inbox, CLEAN)
        assert sanaq(data, *dev, *CHAIR, "init").returncode == 0
        assert sanaq(data, *dev, *CHAIR, "open").returncode == 0
        cmd = [sys.executable, "-m", "kiosk.cli", "station", "--data", str(data), *dev, *MEMBER, "scan"]
        procs = [
            subprocess.Popen(
                # accepted=names: the counted sheets' files stay, to check each ended in one place
                [*cmd, f"folder://{inbox}?accepted=names"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outs = [p.communicate(timeout=300) for p in procs]
        for p, (_, err) in zip(procs, outs, strict=True):
            assert "Traceback" not in err
            assert p.returncode == 0 or json.loads(err.splitlines()[-1])["error"]["code"] == "station_busy"
        assert not list((inbox / "returned").iterdir())
        assert len(list((inbox / "accepted").iterdir())) == 32  # 16 sheets, both sides
        status = json.loads(sanaq(data, "status", "--json").stdout)
        assert (status["official_sheets"], status["pending"]) == (16, 0)


# --- the clock ------------------------------------------------------------------------------------


class SettableClock:
    def __init__(self, at: str) -> None:
        self.at = at

    def now_iso(self) -> str:
        return self.at


def test_a_clock_set_back_or_far_off_is_flagged_recorded_and_verified(tmp_path: Path) -> None:
    pkg = load_election(None)
    clock = SettableClock("2023-03-19T07:00:00+06:00")  # the sample's election day
    journal = Journal.create(tmp_path / "j.sqlite", pkg.election_hash, "379", clock)
    st = Station(journal, pkg, development=True)
    assert st.check_clock() == []
    journal.transition("open", "chair")
    clock.at = "2023-03-19T06:00:00+06:00"  # an hour back
    found = st.check_clock()
    assert [c for c, _ in found] == ["clock_went_back"]
    journal.transition("close", "chair")  # allowed: a wrong clock does not stop the count
    clock.at = "2024-01-01T10:00:00+06:00"
    assert [c for c, _ in st.check_clock()] == ["clock_far_from_election"]
    warnings = [e["detail"]["code"] for e in journal.audit_events() if e["kind"] == "clock_warning"]
    assert warnings == ["clock_went_back", "clock_far_from_election"]
    report = audit_clock_report(journal.audit_events())
    codes = [r["code"] for r in report]
    # The recorded warnings, and the close itself standing before the open in the chain.
    assert codes.count("clock_went_back") >= 2 and "clock_far_from_election" in codes
    assert any("close at" in (r["detail"] or "") for r in report)


def test_verify_reports_the_clock(tmp_path: Path) -> None:
    data = tmp_path / "st"
    assert sanaq(data, "--development", *CHAIR, "init").returncode == 0
    today = dt.date.today()
    assert abs((today - sample_election().election.date).days) > 7  # the sample is from 2023
    out = json.loads(sanaq(data, "verify").stdout)
    assert out["ok"]
    assert [c["code"] for c in out["clock"]] == ["clock_far_from_election"]


def test_station_scan_has_no_default_role_or_member() -> None:
    """Closed defaults in the Python API too (issue 11): `Station.scan` names who scans."""
    import inspect

    from kiosk.station.service import Station

    params = inspect.signature(Station.scan).parameters
    assert params["role"].default is inspect.Parameter.empty
    assert params["member"].default is inspect.Parameter.empty
    assert params["member"].kind is inspect.Parameter.KEYWORD_ONLY
