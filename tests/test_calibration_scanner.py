"""Scanner calibration (issue 16): the sheet printed and read back, each known distortion
recovered within its tolerance, the failures that must fail (a streak, a stretched axis) with
their code and position, the signed journal link and a swapped profile file, the open gate,
the reader's use of the profile, and `sanaq calibrate scanner` end to end through real drivers
(libsane's pnm backend, a hot folder)."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import subprocess
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from stationkit import CLEAN, calibration_folder

from drivers.folder import FolderScanner
from fieldkit.calscans import Distortion, scan, scan_bytes
from fieldkit.deck import generate_sheet
from kiosk.calibration import sheet
from kiosk.calibration.apply import ReaderCalibration, streak_crosses_reference
from kiosk.calibration.measure import SideMeasures, measure_side
from kiosk.calibration.profile import build_profile, scanner_key
from kiosk.calibration.session import calibrate_scanner
from kiosk.calibration.store import check_files, profile_path, record_profile
from kiosk.cli import main
from kiosk.election.load import load_election
from kiosk.election.model import Rules
from kiosk.election.package import key_id, sign_election, verify_package
from kiosk.election.sample import sample_election
from kiosk.errors import SanaqError
from kiosk.messages import MESSAGES
from kiosk.reading.reader import BallotReader
from kiosk.station.journal import Journal
from kiosk.station.lifecycle import Allowed, CalibrationFacts, ProfileFact, Refused, decide
from kiosk.station.service import FixedClock, Station, scanner_identity

IDENTITY = {
    "kind": "sane",
    "url": "sane:test",
    "model": "TestScan 1",
    "serial": "SN-0042",
    "simulated": False,
}
AT = "2023-03-18T18:00:00+06:00"  # the evening before the election (FixedClock is the morning after)

# How closely the measurement must recover what the generator did.
RECOVERY = {
    "scale_x": 0.0015,
    "scale_y": 0.0015,
    "skew_deg": 0.05,
    "offset_x_mm": 0.25,
    "offset_y_mm": 0.25,
    "white": 3.0,
    "black": 4.0,
    "falloff": 0.02,
    "dpi_x": 1.0,
    "dpi_y": 1.0,
}
GEOMETRY = ("scale_x", "scale_y", "skew_deg", "offset_x_mm", "offset_y_mm", "dpi_x", "dpi_y")
ALL = (*GEOMETRY, "white", "black", "falloff")

# name, distortion, what to compare with the truth, the failure codes expected (none: passes)
CASES: list[tuple[str, Distortion, tuple[str, ...], set[str]]] = [
    ("clean", Distortion(), ALL, set()),
    ("across -1.2 %", Distortion(scale_x=0.988), ALL, {"calibration_scale"}),
    ("across +0.5 %", Distortion(scale_x=1.005), ALL, set()),
    ("along +3 % (stretched feed)", Distortion(scale_y=1.03), ALL, {"calibration_scale"}),
    ("along -0.4 %", Distortion(scale_y=0.996), ALL, set()),
    ("along +0.8 % (aspect)", Distortion(scale_y=1.008), ALL, {"calibration_scale"}),
    ("skew +0.3 deg", Distortion(skew_deg=0.3), ALL, set()),
    ("skew -1.5 deg", Distortion(skew_deg=-1.5, offset_mm=(3.0, 6.0)), ALL, {"calibration_skew"}),
    ("skew +2.5 deg", Distortion(skew_deg=2.5, offset_mm=(9.8, 3.0)), GEOMETRY, {"calibration_skew"}),
    ("offset 1/1 mm", Distortion(offset_mm=(1.0, 1.0)), ALL, set()),
    ("offset 8/5 mm", Distortion(offset_mm=(8.0, 5.0)), ALL, set()),
    ("offset 14/2 mm", Distortion(offset_mm=(14.0, 2.0)), ALL, {"calibration_offset"}),
    ("levels 220/40", Distortion(white=220, black=40), ALL, set()),
    ("levels 200/75", Distortion(white=200, black=75), ALL, set()),
    ("levels 170/90", Distortion(white=170, black=90), ALL, {"calibration_levels"}),
    ("falloff 8 %", Distortion(falloff=0.08), (*GEOMETRY, "falloff"), set()),
    ("falloff 25 %", Distortion(falloff=0.25), (*GEOMETRY, "falloff"), {"calibration_illumination"}),
    ("dark streak 43 mm", Distortion(streak_mm=43.0), ALL, {"calibration_streak"}),
    (
        "light streak 120 mm",
        Distortion(streak_mm=120.0, streak_levels=25, white=225),
        ALL,
        {"calibration_streak"},
    ),
    ("faint streak 70 mm", Distortion(streak_mm=70.0, streak_levels=-6), ALL, set()),
    ("1 speck of dust", Distortion(dust=((50.0, 179.0),)), ALL, set()),
    (
        "4 specks of dust",
        Distortion(dust=((30.0, 178.0), (60.0, 181.0), (95.0, 176.0), (130.0, 183.0))),
        ALL,
        {"calibration_dust"},
    ),
    ("delivers 100 dpi", Distortion(delivered_dpi=100), ALL, {"calibration_resolution"}),
    ("150 dpi, JPEG 60", Distortion(dpi=150, jpeg=60), ALL, set()),
    ("300 dpi", Distortion(dpi=300), ALL, set()),
    (
        "fed bottom first, skew -0.5",
        Distortion(rotate_180=True, skew_deg=-0.5),
        ("scale_x", "scale_y"),
        set(),
    ),
]


def _scan(d: Distortion, side: str = "A") -> np.ndarray:
    if d.jpeg is None:
        return scan(d, side)
    grey = cv2.imdecode(np.frombuffer(scan_bytes(d, side), np.uint8), cv2.IMREAD_GRAYSCALE)
    assert grey is not None
    return grey


def _recovered(m: SideMeasures) -> dict[str, float]:
    return {
        "scale_x": m.scale_x,
        "scale_y": m.scale_y,
        "skew_deg": m.skew_deg,
        "offset_x_mm": m.offset_x_mm,
        "offset_y_mm": m.offset_y_mm,
        "white": m.white,
        "black": m.black,
        "falloff": m.falloff,
        "dpi_x": m.dpi_x,
        "dpi_y": m.dpi_y,
    }


@pytest.mark.parametrize(("name", "d", "compare", "fails"), CASES, ids=[c[0] for c in CASES])
def test_each_distortion_is_recovered_and_judged(
    name: str, d: Distortion, compare: tuple[str, ...], fails: set[str]
) -> None:
    m = measure_side(_scan(d), d.dpi)
    truth, got = d.truth(), _recovered(m)
    for k in compare:
        assert abs(got[k] - truth[k]) <= RECOVERY[k], (name, k, got[k], truth[k])
    assert m.rotated == d.rotate_180
    if d.streak_mm is not None:
        assert len(m.streaks) == 1
        assert abs(m.streaks[0].x_mm - d.streak_mm) <= 0.5
        assert np.sign(m.streaks[0].levels) == np.sign(d.streak_levels)
    else:
        assert m.streaks == ()
    profile = build_profile(IDENTITY, [(0, m)], AT)
    assert {f["code"] for f in profile["failures"]} == fails
    assert profile["passed"] == (not fails)


def test_a_streak_fails_with_its_place_and_what_to_do() -> None:
    profile = build_profile(IDENTITY, [(0, measure_side(scan(Distortion(streak_mm=43.0)), 200))], AT)
    [failure] = profile["failures"]
    assert failure["code"] == "calibration_streak"
    assert "a dark streak at 43 mm from the left edge" in failure["detail"]
    assert failure["detail"].startswith("clean the glass")
    assert "Clean the glass" in MESSAGES["calibration_streak"]["en"]
    # The reader gets the column, where the scanner delivers it (image px at 200 dpi).
    [[column, _width, levels]] = profile["reader"]["streak_columns"]
    assert abs(column - 43.0 * 200 / 25.4) <= 3 and levels < 0


def test_a_stretched_feed_fails_scale_saying_which_axis() -> None:
    profile = build_profile(IDENTITY, [(0, measure_side(scan(Distortion(scale_y=1.03)), 200))], AT)
    failed = {f["measure"]: f for f in profile["failures"]}
    assert set(failed) == {"scale_y", "aspect"}
    assert {f["code"] for f in failed.values()} == {"calibration_scale"}
    assert (
        "along the feed +3.00 %" in failed["scale_y"]["detail"] and "stretched" in failed["scale_y"]["detail"]
    )


def test_the_printed_sheet_reads_back(tmp_path: Path) -> None:
    """The PDF the project prints, rasterised by poppler: both sides recognised, at scale 1."""
    out = tmp_path / "sheet.pdf"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["calibrate", "sheet", "--out", str(out)]) == 0
    subprocess.run(["pdftoppm", "-r", "150", "-gray", str(out), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.pgm"))
    assert len(pages) == 2
    for page, side in zip(pages, sheet.SIDES, strict=True):
        grey = cv2.imread(str(page), cv2.IMREAD_GRAYSCALE)
        assert grey is not None
        m = measure_side(grey, 150)
        assert (m.side, m.version) == (side, sheet.SHEET_VERSION)
        assert abs(m.scale_x - 1) < 0.003 and abs(m.scale_y - 1) < 0.003
        assert m.greys[0] - m.greys[-1] > 200 and m.streaks == ()
        profile = build_profile(IDENTITY, [(0, m)], AT)
        assert profile["passed"], profile["failures"]


def test_an_image_without_the_sheet_is_refused() -> None:
    pkg = load_election(None)
    ballot = generate_sheet(pkg.election, pkg.election_hash, "AST-LIST", 1, 0, CLEAN)
    grey = cv2.imdecode(np.frombuffer(ballot.back_bytes, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert grey is not None
    with pytest.raises(SanaqError) as err:
        measure_side(grey, 200)
    assert err.value.code == "calibration_sheet_unrecognised"
    with pytest.raises(SanaqError):
        measure_side(np.full((1600, 1100), 250, np.uint8), 200)


# --- the journal and the open gate -----------------------------------------------------------------


def _station(tmp: Path, development: bool = False, clock: Any = None) -> Station:
    pkg = load_election(None)
    journal = Journal.create(tmp / "j.sqlite", pkg.election_hash, "379", clock or FixedClock())
    return Station(journal, pkg, development=development)


CLEAN_SCAN = Distortion()


def _profile(d: Distortion = CLEAN_SCAN, at: str = AT) -> dict[str, Any]:
    return build_profile(IDENTITY, [(0, measure_side(scan(d), d.dpi))], at)


def _refused(st: Station) -> str:
    with pytest.raises(SanaqError) as err:
        st.transition("open", "chair")
    return err.value.code


def test_open_is_refused_without_a_passing_profile_and_allowed_after(tmp_path: Path) -> None:
    st = _station(tmp_path)
    assert _refused(st) == "calibration_missing"
    refused = [e for e in st.journal.audit_events() if e["kind"] == "refused"]
    assert refused[-1]["detail"] == {"action": "open", "code": "calibration_missing", "state": "configured"}
    record_profile(st.journal, _profile(Distortion(streak_mm=43.0)), "technician")
    assert _refused(st) == "calibration_failed"
    digest = record_profile(st.journal, _profile(), "technician")
    assert st.transition("open", "chair").state == "open"
    [*_, link] = [e for e in st.journal.audit_events() if e["kind"] == "scanner_calibrated"]
    d = link["detail"]
    assert (d["serial"], d["measured_at"], d["passed"], d["sha256"]) == ("SN-0042", AT, True, digest)
    assert hashlib.sha256(profile_path(tmp_path, "SN-0042").read_bytes()).hexdigest() == digest
    assert st.journal.verify().ok


def test_an_old_profile_is_stale(tmp_path: Path) -> None:
    st = _station(tmp_path)
    record_profile(st.journal, _profile(at="2023-02-01T09:00:00+06:00"), "technician")
    assert _refused(st) == "calibration_stale"  # 46 days before FixedClock, the package allows 30


def test_a_swapped_profile_file_refuses_open_and_verify_says_so(tmp_path: Path) -> None:
    st = _station(tmp_path)
    record_profile(st.journal, _profile(), "technician")
    path = profile_path(tmp_path, "SN-0042")
    # Another scanner's (passing) profile put in its place, or any edit: its bytes no longer hash.
    other = json.loads(path.read_bytes())
    other["reader"]["streak_columns"] = []
    other["measured_at"] = "2023-03-18T19:00:00+06:00"
    path.write_text(json.dumps(other))
    assert check_files(st.journal, tmp_path) == [
        {"serial": "SN-0042", "file": "calibration/SN-0042.json", "passed": True, "intact": False}
    ]
    assert _refused(st) == "calibration_profile_changed"
    path.unlink()
    assert _refused(st) == "calibration_profile_changed"


def test_the_development_switch_waives_and_the_audit_says_what(tmp_path: Path) -> None:
    st = _station(tmp_path, development=True)
    assert st.transition("open", "chair").state == "open"
    [waived] = [e for e in st.journal.audit_events() if e["kind"] == "calibration_waived"]
    assert waived["detail"]["code"] == "calibration_missing"


def test_official_scanning_needs_this_scanner_calibrated(tmp_path: Path) -> None:
    """An official package, a real (hot-folder) scanner: opened on another calibrated scanner,
    this one may not count until it is calibrated too; then the reader applies its profile."""
    hq = Ed25519PrivateKey.generate()
    pkg = verify_package(
        sign_election(sample_election(), hq), {key_id(hq.public_key()): (hq.public_key(), "hq")}
    )
    st = Station(Journal.create(tmp_path / "j.sqlite", pkg.election_hash, "379", FixedClock()), pkg)
    record_profile(st.journal, _profile(), "technician")  # SN-0042
    st.transition("open", "chair")
    inbox = tmp_path / "in"
    inbox.mkdir()
    ballot = generate_sheet(pkg.election, pkg.election_hash, "AST-LIST", 7, 0, CLEAN)
    (inbox / "s1.a.png").write_bytes(ballot.back_bytes)
    (inbox / "s1.b.png").write_bytes(ballot.front_bytes)
    with pytest.raises(SanaqError) as err:
        st.scan(FolderScanner(inbox), "member", member="M")
    assert err.value.code == "calibration_missing" and "is not calibrated" in err.value.detail
    assert st.journal.tally().sheets == 0
    calibration_folder(inbox / "cal")
    cal = FolderScanner(inbox / "cal")
    profile = calibrate_scanner(cal, st.journal.clock.now_iso())
    assert profile["passed"], profile["failures"]
    # The calibration went through its own folder: a different scanner key; record it under the
    # counting folder's identity (the same device behind both folders in this test).
    profile["scanner"]["key"] = scanner_key(scanner_identity(FolderScanner(inbox)))
    record_profile(st.journal, profile, "technician")
    assert st.scan(FolderScanner(inbox), "member", member="M").counted == 1
    assert st.calibration is not None and st.calibration.scanner == profile["scanner"]["key"]


def test_decide_and_the_package_rules() -> None:
    fresh = ProfileFact("SN-1", 2.0, True, True)
    assert decide("configured", "open", "chair", calibration=CalibrationFacts(True, 30, (fresh,))) == Allowed(
        "open"
    )
    no_rule = CalibrationFacts(False, 30, ())
    assert decide("configured", "open", "chair", calibration=no_rule) == Allowed("open")
    old = dataclasses.replace(fresh, age_days=31.0)
    verdict = decide("configured", "open", "chair", calibration=CalibrationFacts(True, 30, (old,)))
    assert isinstance(verdict, Refused) and verdict.code == "calibration_stale"
    assert decide("configured", "open", "chair", calibration=CalibrationFacts(True, 60, (old,))) == Allowed(
        "open"
    )
    # One good scanner is enough; a failed one beside it does not block.
    failed = ProfileFact("SN-2", 1.0, False, True)
    assert decide(
        "configured", "open", "chair", calibration=CalibrationFacts(True, 30, (failed, fresh))
    ) == Allowed("open")
    # Rules: left out of the document at their defaults (existing package hashes stay).
    assert "scanner_calibration_required" not in Rules().model_dump()
    assert "calibration_max_age_days" not in Rules().model_dump()
    waived = Rules(scanner_calibration_required=False, calibration_max_age_days=7).model_dump()
    assert waived["scanner_calibration_required"] is False and waived["calibration_max_age_days"] == 7


# --- the reader -------------------------------------------------------------------------------------


def test_the_reader_sends_sheets_to_review_over_a_known_streak_or_a_changed_feed() -> None:
    pkg = load_election(None)
    ballot = generate_sheet(pkg.election, pkg.election_hash, "AST-LIST", 5, 3, CLEAN)
    plain = BallotReader(pkg.election, pkg.election_hash).read_bytes(ballot.back_bytes)
    assert plain.status == "ok"
    px = 200 / 25.4

    def read(cal: ReaderCalibration) -> Any:
        reader = BallotReader(pkg.election, pkg.election_hash, calibration=cal)
        return reader.read_bytes(ballot.back_bytes)

    # Streaks every 2 mm across the page: one runs through the voter's squares.
    everywhere = ReaderCalibration("SN", px, 1.0, tuple((c, 1.0) for c in np.arange(0, 1200, 2 * px)))
    got = read(everywhere)
    assert got.status == "review" and "calibration_streak" in got.review_reasons
    assert all(c.outcome == "review" for c in got.contests)
    # One in the left margin, far from every square: nothing changes.
    assert read(ReaderCalibration("SN", px, 1.0, ((10 * px, 1.0),))).contests == plain.contests
    # The feed stretched the calibration sheet 8 % more than it does this ballot (the deck's
    # clean sheet is within about 1 % of its layout; SCALE_DRIFT is 5 %).
    assert read(ReaderCalibration("SN", px, 1.0, ())).status == "ok"
    assert read(ReaderCalibration("SN", px, 1.03, ())).status == "ok"
    drift = read(ReaderCalibration("SN", px, 1.08, ()))
    assert drift.status == "review" and drift.review_reasons == ("calibration_scale_drift",)


@settings(max_examples=200, deadline=None)
@given(
    xs=st.lists(st.floats(0, 2000), min_size=1, max_size=45),
    streaks=st.lists(st.tuples(st.floats(0, 2000), st.floats(0.5, 20)), max_size=4),
    scale=st.floats(0.5, 2.0),
)
def test_the_vectorised_streak_test_agrees_with_the_reference(
    xs: list[float], streaks: list[tuple[float, float]], scale: float
) -> None:
    px = 200 / 25.4
    cal = ReaderCalibration("SN", px, 1.0, tuple(streaks))
    centres = np.stack([np.array(xs), np.zeros(len(xs))], axis=1)
    fast = cal.review_reason(centres, px * scale, 1.0) == "calibration_streak"
    assert fast == streak_crosses_reference(cal, centres, px * scale)


# --- end to end through the command and real drivers --------------------------------------------


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def _init(data: Path) -> None:
    code, _, err = _cli(
        "station", "--data", str(data), "--role", "technician", "--member", "T", "--development", "init"
    )
    assert code == 0, err


def test_calibrate_scanner_through_libsane_pnm(tmp_path: Path) -> None:
    pytest.importorskip("sane")
    data = tmp_path / "st"
    _init(data)
    pgm = tmp_path / "calibration.pgm"
    cv2.imwrite(str(pgm), scan(Distortion(skew_deg=0.4, offset_mm=(2.0, 4.0))))
    code, out, err = _cli(
        "calibrate", "scanner", "--source", f"sane:pnm:0?filename={pgm}", "--data", str(data),
        "--role", "technician", "--member", "T. Technician", "--dpi", "200", "--development", "--json",
    )  # fmt: skip
    assert code == 0, err
    profile = json.loads(out[out.index("{") :])
    assert profile["passed"] and profile["scanner"]["kind"] == "sane"
    [side] = profile["sides"]
    assert abs(side["measures"]["skew_deg"] - 0.4) < 0.05
    assert side["measures"]["offset_mm"] == pytest.approx([2.0, 4.0], abs=0.25)
    station = ["station", "--data", str(data)]
    code, out, _ = _cli(*station, "verify")
    assert code == 0 and json.loads(out)["calibration"][0]["intact"] is True
    code, _, err = _cli(*station, "--role", "chair", "--member", "C", "--development", "open")
    assert code == 0, err
    journal = Journal.open(data / "journal.sqlite", FixedClock())
    kinds = [e["kind"] for e in journal.audit_events()]
    journal.close()
    assert "scanner_calibrated" in kinds and "calibration_waived" not in kinds


def test_calibrate_scanner_through_a_hot_folder_fails_on_a_streak_and_keeps_the_record(
    tmp_path: Path,
) -> None:
    data = tmp_path / "st"
    _init(data)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "cal.a.png").write_bytes(scan_bytes(Distortion(streak_mm=43.0)))
    (folder / "cal.b.png").write_bytes(scan_bytes(Distortion(seed=3), "B"))
    args = ["--data", str(data), "--role", "technician", "--member", "T"]
    code, out, err = _cli("calibrate", "scanner", "--source", f"folder://{folder}", *args)
    assert code == 2
    error = json.loads(err.splitlines()[-1])["error"]
    assert error["code"] == "calibration_streak" and "43 mm from the left edge" in error["detail"]
    assert error["en"] == MESSAGES["calibration_streak"]["en"]
    assert "image 1 (sheet side B)" in out  # both sides of a duplex scan measured
    assert sorted(p.name for p in (folder / "returned").iterdir()) == ["cal.a.png", "cal.b.png"]
    journal = Journal.open(data / "journal.sqlite", FixedClock())
    [link] = [e for e in journal.audit_events() if e["kind"] == "scanner_calibrated"]
    journal.close()
    assert link["detail"]["passed"] is False and link["detail"]["failures"] == ["calibration_streak"]
    # Fixed (clean scans), calibrated again: passes.
    code, _, err = _cli("calibrate", "scanner", "--source", calibration_folder(tmp_path / "clean"), *args)
    assert code == 0, err


def test_calibrate_scanner_names_who_with_a_data_folder(tmp_path: Path) -> None:
    code, _, err = _cli("calibrate", "scanner", "--source", "folder:///nonexistent", "--data", str(tmp_path))
    assert code == 2 and json.loads(err)["error"]["code"] == "actor_required"


def test_scanner_key_is_the_serial_or_a_digest_of_the_url() -> None:
    assert scanner_key(IDENTITY) == "SN-0042"
    assert scanner_key({"serial": "../../etc/passwd"}) == ".._.._etc_passwd"
    assert "/" not in scanner_key({"serial": "../.."})
    long_a, long_b = "/srv/" + "a" * 70 + "/one", "/srv/" + "a" * 70 + "/two"
    assert scanner_key({"serial": long_a}) != scanner_key({"serial": long_b})
    assert len(scanner_key({"serial": long_a})) <= 64
    hot = scanner_key({"kind": "folder", "url": "folder:///x", "serial": ""})
    assert hot.startswith("folder-") and hot != scanner_key({"kind": "folder", "url": "folder:///y"})
