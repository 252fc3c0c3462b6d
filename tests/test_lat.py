"""The logic-and-accuracy test (issue 16): the station's own test deck through a real scanner
driver (the hot folder) and the reader, the report (PDF read back with pdftotext, thermal
receipt through the ESC/POS driver to a loopback printer), the signed result link, and the
open gate.

A small package keeps it quick: the sample election with station 379 holding one ballot
style (MZ-LIST, 8 options: 36 vote sheets + 6) and a second station with a style 379 does not
have, whose ballot must come back (`wrong_station`)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from test_printer import LoopbackPrinter

from drivers.folder import FolderScanner
from kiosk.calibration.lat import RESULT_KIND, passed_test_deck, record_signed
from kiosk.calibration.testdeck import plan_deck, unseen_swaps, vote_counts, write_test_deck
from kiosk.cli import main
from kiosk.election.model import Election
from kiosk.election.package import (
    LoadedPackage,
    canonical_bytes,
    development_private_key,
    development_trust,
    sign_election,
    verify_package,
)
from kiosk.election.sample import sample_election
from kiosk.errors import SanaqError
from kiosk.station.journal import Journal
from kiosk.station.lifecycle import Allowed, Refused, decide
from kiosk.station.service import FixedClock, Station

STATION = "379"


def small_election(required: bool = True) -> Election:
    e = sample_election(logic_and_accuracy_required=required)
    st = e.stations[0]
    mine = st.model_copy(update={"styles": ("MZ-LIST",), "ballots_received": {"MZ-LIST": 100}})
    other = st.model_copy(update={"id": "380", "styles": ("AST-SMD-07",), "ballots_received": {}})
    return e.model_copy(update={"stations": (mine, other)})


@cache
def package_bytes(required: bool = True) -> bytes:
    return sign_election(small_election(required), development_private_key())


def package(required: bool = True) -> LoadedPackage:
    return verify_package(package_bytes(required), development_trust())


@cache
def deck_dir(kind: str = "good") -> Path:
    """The deck's images, made once per session (a misprint: options 2 and 5 swapped on paper)."""
    import tempfile

    pkg = package()
    out = Path(tempfile.mkdtemp(prefix=f"sanaq-lat-{kind}-"))
    printed = None
    if kind == "misprint":
        e = pkg.election
        c = e.contests[0]
        opts = list(c.options)
        opts[1], opts[4] = opts[4], opts[1]
        printed = e.model_copy(
            update={"contests": (c.model_copy(update={"options": tuple(opts)}), *e.contests[1:])}
        )
    write_test_deck(
        pkg.election, pkg.election_hash, STATION, out, dpi=150, pdf=kind == "good", printed=printed
    )
    return out


def station(tmp: Path, required: bool = True) -> tuple[Station, Path]:
    data = tmp / "data"
    data.mkdir()
    (data / "election.json").write_bytes(package_bytes(required))
    pkg = package(required)
    journal = Journal.create(data / "journal.sqlite", pkg.election_hash, STATION, FixedClock())
    return Station(journal, pkg, development=True), data


def inbox(tmp: Path, kind: str = "good", drop: str | None = None) -> Path:
    folder = tmp / f"inbox-{kind}"
    shutil.copytree(deck_dir(kind) / "images", folder)
    if drop is not None:
        for p in folder.glob(f"{drop}.*"):
            p.unlink()
    return folder


def run_test(
    st: Station, data: Path, folder: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> dict[str, Any]:
    st.transition("start_test", "technician")
    summary = st.scan(FolderScanner(folder, "names"), role="technician", member="T")
    assert summary.stopped is None
    st.journal.close()
    code = main(
        [
            "station",
            "--data",
            str(data),
            "--role",
            "chair",
            "--member",
            "A. Chair",
            "test-report",
            "--expected",
            str(deck_dir("good") / "expected.json"),
            *extra,
        ]
    )
    text = capsys.readouterr().out
    out: dict[str, Any] = json.loads(text[text.index("{\n") :])  # escpos prints its warnings first
    assert code == (0 if out["passed"] else 1)
    return out


def reopen(data: Path, required: bool = True) -> Station:
    journal = Journal.open(data / "journal.sqlite", FixedClock())
    return Station(journal, package(required), development=True)


def pdftext(path: str) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True
    ).stdout


# --- the deck --------------------------------------------------------------------------------------


def test_every_option_a_different_count_and_the_deck_says_what_it_cannot_see() -> None:
    assert vote_counts(8, "full") == [1, 2, 3, 4, 5, 6, 7, 8]
    assert unseen_swaps(43, "full") == 0
    assert vote_counts(5, "cycle:2") == [1, 2, 1, 2, 1] and unseen_swaps(5, "cycle:2") == 4
    with pytest.raises(SanaqError):
        vote_counts(5, "cycle:1")
    # The sample's four styles, the full deck: 36 + 6, 946 + 6, 36 + 6, 55 + 6 sheets, and one
    # from another election; another station's ballot cannot be told apart in this package.
    e = sample_election(logic_and_accuracy_required=True)
    plan = plan_deck(e, "0" * 64, STATION)
    assert plan.expected["deck"]["sheets_per_style"] == {
        "MZ-LIST": 43,
        "MZ-SMD-02": 952,
        "AST-LIST": 42,
        "AST-SMD-07": 61,
    }
    assert plan.expected["returned"] == {"wrong_election": 1} and plan.not_included
    small = plan_deck(small_election(), "0" * 64, STATION)
    assert small.expected["returned"] == {"wrong_election": 1, "wrong_station": 1}
    line = small.expected["contests"]["mazhilis-list"]
    assert sorted(line["options"].values()) == list(range(1, 9))
    assert (line["blank"], line["overvote"], line["invalid"], line["review_pending"]) == (2, 2, 4, 2)


def test_the_deck_is_printable_and_scannable() -> None:
    out = deck_dir("good")
    expected = json.loads((out / "expected.json").read_text())
    assert expected["sheets"] == 36 + 6 and expected["deck"]["total_sheets"] == 44
    assert len(list((out / "images").glob("*.a.png"))) == 44
    text = pdftext(str(out / "pdf" / "MZ-LIST-01.pdf"))
    assert text.count("L&A LA") == 2 * 42  # every sheet labelled on both sides
    assert "ТЕСТОВЫЙ БЮЛЛЕТЕНЬ" in text


# --- the report ---------------------------------------------------------------------------------------


def test_a_deck_that_counts_right_passes_and_opens_the_polls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    st, data = station(tmp_path)
    with pytest.raises(SanaqError) as refused:
        st.transition("open", "chair")
    assert refused.value.code == "test_deck_not_passed"
    printer = LoopbackPrinter()
    try:
        url = f"escpos+net://127.0.0.1:{printer.port}"
        out = run_test(st, data, inbox(tmp_path), capsys, "--printer", url)
        printer.stop.wait(0.3)
        assert out["passed"] and out["differing"] == [] and out["receipt"]["stopped"] is None
        assert "ТЕСТ ПРОЙДЕН".encode("cp866") in printer.received[0]
    finally:
        printer.close()
    text = pdftext(out["report"])
    assert "PASSED" in text and "returned: wrong_station" in text and "MZ-LIST / qhp" in text
    st = reopen(data)
    links = [e for e in st.journal.audit_events() if e["kind"] == RESULT_KIND]
    assert len(links) == 1 and links[0]["detail"]["passed"] is True
    assert links[0]["detail"]["report_sha256"] == out["report_sha256"]
    # Test counts never reach official counts: end_test deletes them; then the polls open.
    assert st.journal.tally("test").sheets == 42
    st.transition("end_test", "technician")
    assert st.journal.tally("test").sheets == 0 and st.journal.official_total() == 0
    assert st.transition("open", "chair").state == "open"
    assert st.journal.tally("official").sheets == 0
    assert st.journal.verify().ok


def test_a_missing_sheet_fails_and_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    st, data = station(tmp_path)
    deck = json.loads((deck_dir("good") / "deck.json").read_text())
    # One of the sheets voting for the fourth option (qhp) goes missing.
    gone = next(s["name"] for s in deck["sheets"] if s["kind"] == "vote" and s["marks"] == [3])
    out = run_test(st, data, inbox(tmp_path, drop=gone), capsys)
    assert not out["passed"]
    assert out["differing"] == [
        {"line": "MZ-LIST / qhp", "expected": 4, "actual": 3, "diff": -1},
        {"line": "sheets counted", "expected": 42, "actual": 41, "diff": -1},
    ]
    assert "FAILED" in pdftext(out["report"])
    st = reopen(data)
    st.transition("end_test", "technician")
    with pytest.raises(SanaqError) as refused:
        st.transition("open", "chair")
    assert refused.value.code == "test_deck_not_passed"


def test_two_options_swapped_on_paper_fail_with_both_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    st, data = station(tmp_path)
    out = run_test(st, data, inbox(tmp_path, "misprint"), capsys)
    assert not out["passed"]
    # Options 2 and 5 (auyl: 2 votes, baitaq: 5) printed in each other's place: each gets
    # the other's count.
    assert out["differing"] == [
        {"line": "MZ-LIST / auyl", "expected": 2, "actual": 5, "diff": 3},
        {"line": "MZ-LIST / baitaq", "expected": 5, "actual": 2, "diff": -3},
    ]
    text = pdftext(out["report"])
    assert "MZ-LIST / auyl" in text and "+3" in text and "-3" in text


def test_report_only_in_test_mode_and_for_this_deck(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    st, data = station(tmp_path)
    st.journal.close()
    argv = ["station", "--data", str(data), "--role", "chair", "--member", "A", "test-report", "--expected"]
    assert main([*argv, str(deck_dir("good") / "expected.json")]) == 2
    assert (
        json.loads(capsys.readouterr().err.strip().splitlines()[-1])["error"]["code"]
        == "test_report_needs_test_mode"
    )
    other = json.loads((deck_dir("good") / "expected.json").read_text()) | {"station": "380"}
    (tmp_path / "other.json").write_text(json.dumps(other))
    st = reopen(data)
    st.transition("start_test", "technician")
    st.journal.close()
    assert main([*argv, str(tmp_path / "other.json")]) == 2
    assert (
        json.loads(capsys.readouterr().err.strip().splitlines()[-1])["error"]["code"] == "test_deck_mismatch"
    )


# --- the gate -------------------------------------------------------------------------------------------


def test_decide_refuses_open_without_a_passed_test() -> None:
    assert decide("configured", "open", "chair", test_deck_passed=False) == Refused(
        "test_deck_not_passed", "no passed logic-and-accuracy test since the last calibration"
    )
    assert decide("configured", "open", "chair", test_deck_passed=True) == Allowed("open")
    assert decide("configured", "start_test", "chair", test_deck_passed=False) == Allowed("testing")


def test_a_pass_before_a_newer_calibration_does_not_count(tmp_path: Path) -> None:
    st, _ = station(tmp_path)
    rules = st.package.election.rules
    assert not passed_test_deck(st.journal, rules)
    record_signed(st.journal, RESULT_KIND, "chair", {"passed": False})
    assert not passed_test_deck(st.journal, rules)
    record_signed(st.journal, RESULT_KIND, "chair", {"passed": True})
    assert passed_test_deck(st.journal, rules)
    # The scanner calibration (issue 16, its own branch) records `scanner_calibrated`; new mark
    # thresholds change the reader: after either, the earlier pass no longer counts.
    for kind in ("scanner_calibrated", "mark_thresholds_chosen"):
        record_signed(st.journal, kind, "technician", {"marginal": 0.02, "marked": 0.06})
        assert not passed_test_deck(st.journal, rules)
        with pytest.raises(SanaqError):
            st.transition("open", "chair")
        record_signed(st.journal, RESULT_KIND, "chair", {"passed": True})
        assert passed_test_deck(st.journal, rules)
    assert st.transition("open", "chair").state == "open"
    refusals = [e for e in st.journal.audit_events() if e["kind"] == "refused"]
    assert [e["detail"]["code"] for e in refusals] == ["test_deck_not_passed"] * 2


def test_a_package_may_waive_the_test(tmp_path: Path) -> None:
    st, _ = station(tmp_path, required=False)
    assert b'"logic_and_accuracy_required":false' in canonical_bytes(small_election(False))
    assert b"logic_and_accuracy_required" not in canonical_bytes(small_election(True))
    assert st.transition("open", "chair").state == "open"


def test_the_cli_open_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    st, data = station(tmp_path)
    st.journal.close()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    argv = ["station", "--data", str(data), "--role", "chair", "--member", "A", "--development", "open"]
    assert main(argv) == 2
    err = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert err["error"]["code"] == "test_deck_not_passed" and "logic-and-accuracy" in err["error"]["en"]


# --- someone with the files --------------------------------------------------------------------------


def test_an_edited_expected_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The expected tally is recomputed from the package: a count edited to match a wrong
    station (here: one sheet missing) does not make a pass."""
    st, data = station(tmp_path)
    st.transition("start_test", "technician")
    st.journal.close()
    edited = json.loads((deck_dir("good") / "expected.json").read_text())
    edited["contests"]["mazhilis-list"]["options"]["qhp"] = 3
    edited["sheets"] -= 1
    (tmp_path / "edited.json").write_text(json.dumps(edited))
    argv = ["station", "--data", str(data), "--role", "chair", "--member", "A", "test-report", "--expected"]
    assert main([*argv, str(tmp_path / "edited.json")]) == 2
    assert (
        json.loads(capsys.readouterr().err.strip().splitlines()[-1])["error"]["code"] == "test_deck_mismatch"
    )
    assert RESULT_KIND not in [e["kind"] for e in reopen(data).journal.audit_events()]


def test_a_failed_result_edited_into_a_pass_does_not_open(tmp_path: Path) -> None:
    st, data = station(tmp_path)
    record_signed(st.journal, RESULT_KIND, "chair", {"passed": False})
    st.journal.close()
    import sqlite3

    db = sqlite3.connect(data / "journal.sqlite")
    db.execute("UPDATE audit SET detail=? WHERE kind=?", ('{"passed":true}', RESULT_KIND))
    db.commit()
    db.close()
    st = reopen(data)
    with pytest.raises(SanaqError) as refused:
        st.transition("open", "chair")
    assert refused.value.code == "journal_tampered"
