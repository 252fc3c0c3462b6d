"""Mark thresholds from the station's own scans (issue 16): a calibration deck from the test
equipment (fieldkit/markdeck.py) read through a real scanner driver (the hot folder) and the
reader; the choice, the refusal on overlap, the histogram, the signed link, and the station
reading with what was recorded."""

from __future__ import annotations

import io
import json
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from fieldkit.deck import DeckOptions, generate_sheet
from fieldkit.markdeck import write_calibration_deck
from kiosk.calibration.thresholds import (
    KIND,
    choose_thresholds,
    histogram_png,
    overlap_figures,
    overlap_text,
    recorded_thresholds,
)
from kiosk.cli import main
from kiosk.election.load import load_election
from kiosk.errors import SanaqError
from kiosk.reading.model import Thresholds
from kiosk.station.journal import Journal
from kiosk.station.service import FixedClock, Station

TECH = ["--role", "technician", "--member", "T. Technician"]


@cache
def deck() -> Path:
    """6 calibration sheets of the 43-row ballot and 7 field sheets (one condition each)."""
    import tempfile

    pkg = load_election(None)
    out = Path(tempfile.mkdtemp(prefix="sanaq-marks-"))
    write_calibration_deck(pkg.election, pkg.election_hash, out, n=6, field=7, seed=5, styles=["MZ-SMD-02"])
    return out


def station(tmp: Path) -> Path:
    data = tmp / "data"
    assert main(["station", "--data", str(data), *TECH, "--development", "init"]) == 0
    return data


def inbox(tmp: Path, truth: dict[str, Any] | None = None) -> tuple[Path, Path]:
    folder = tmp / "inbox"
    shutil.copytree(deck(), folder)
    path = folder / "truth.json"
    if truth is not None:
        path.write_text(json.dumps(truth))
    shutil.move(path, tmp / "truth.json")  # the truth is not a sheet
    return folder, tmp / "truth.json"


def calibrate(data: Path, folder: Path, truth: Path) -> int:
    return main(
        [
            "marks",
            "calibrate",
            "--data",
            str(data),
            "--source",
            f"folder://{folder}?accepted=names",
            "--truth",
            str(truth),
            *TECH,
        ]
    )


def last_json(text: str) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(text[text.index("{\n") :])
    return out


def test_thresholds_from_the_deck_separate_the_classes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = station(tmp_path)
    capsys.readouterr()
    folder, truth = inbox(tmp_path)
    assert calibrate(data, folder, truth) == 0
    out = last_json(capsys.readouterr().out)
    chosen, verified = out["chosen"], out["verified"]
    assert out["measured"]["sheets"] == 13 and out["measured"]["refused"] == {}
    assert (
        chosen["counts"]["clear"] >= 100
        and chosen["counts"]["empty"] >= 100
        and chosen["counts"]["doubtful"] >= 10
    )
    # Between the body of the empty squares and the body of the clear marks, with the margin.
    assert chosen["empty_995"] < chosen["marginal"] < chosen["marked"] < chosen["clear_005"]
    # Read again with them: no empty square or dot counts as a vote, no clear mark is lost.
    assert verified["wrong"] == {"empty_as_vote": 0, "doubtful_as_vote": 0, "clear_as_empty": 0}
    assert verified["decided"]["clear"]["marked"] >= 0.9 * chosen["counts"]["clear"]
    # Every sheet came back out of the scanner (calibration paper is no ballot).
    assert len(list((folder / "returned").glob("*.a.*"))) == 6 and not list((folder / "accepted").iterdir())
    # The signed link carries the values and the picture's hash; the chain verifies.
    journal = Journal.open(data / "journal.sqlite", FixedClock())
    link = journal.db.execute("SELECT detail, sig FROM audit WHERE kind=?", (KIND,)).fetchone()
    detail = json.loads(link[0])
    assert (
        link[1] is not None
        and detail["marginal"] == chosen["marginal"]
        and detail["member"] == "T. Technician"
    )
    png = Path(out["histogram"]).read_bytes()
    import hashlib

    assert detail["histogram_sha256"] == hashlib.sha256(png).hexdigest()
    # The report (signed by its digest) carries every square's score: drawn again from them, the
    # official picture comes out byte for byte (a screen's copy in its language is drawn from them).
    report = Path(out["report"]).read_bytes()
    assert detail["report_sha256"] == hashlib.sha256(report).hexdigest()
    scores = json.loads(report)["scores"]
    assert {k: len(v) for k, v in scores.items()} == chosen["counts"]
    t = Thresholds(chosen["marginal"], chosen["marked"])
    assert histogram_png(scores, t, "Station 379: mark thresholds from its own scans") == png
    assert recorded_thresholds(journal) == Thresholds(chosen["marginal"], chosen["marked"])
    assert journal.verify().ok
    journal.close()
    # The picture: the two thresholds drawn in their colours across the panels.
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    red = (img[:, :, 0] > 180) & (img[:, :, 1] < 40) & (img[:, :, 2] < 40)
    green = (img[:, :, 1] > 120) & (img[:, :, 0] < 40) & (img[:, :, 2] < 40)
    assert red.sum() > 500 and green.sum() > 500
    assert np.nonzero(red)[1].mean() < np.nonzero(green)[1].mean()  # marginal left of marked


def test_overlap_is_refused_with_how_much(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A truth file that calls every light mark "empty": the classes overlap on real scans.
    truth = json.loads((deck() / "truth.json").read_text())
    for s in truth["sheets"]:
        s["kinds"] = ["none" if k in ("light_pencil", "edge_tick", "tick") else k for k in s["kinds"]]
    data = station(tmp_path)
    capsys.readouterr()
    folder, path = inbox(tmp_path, truth)
    assert calibrate(data, folder, path) == 2
    err = last_json(capsys.readouterr().err)
    assert err["error"]["code"] == "thresholds_overlap" and err["error"]["overlap"] > 0
    assert err["error"]["empty_above_clear_005"] > 0
    for lang in ("kk", "ru", "en"):
        assert f"{err['error']['overlap']:.3f}" in err["error"][lang] and err["message"][lang]
    journal = Journal.open(data / "journal.sqlite", FixedClock())
    kinds = [e["kind"] for e in journal.audit_events()]
    assert KIND not in kinds and "refused" in kinds  # nothing chosen, the refusal recorded
    assert recorded_thresholds(journal) == Thresholds()
    journal.close()


def test_choice_rule_on_known_scores() -> None:
    rng = np.random.default_rng(1)
    scores = {
        "empty": list(rng.normal(0.0, 0.005, 1000)),
        "doubtful": list(rng.uniform(0.02, 0.04, 50)),
        "clear": list(rng.uniform(0.08, 0.6, 500)),
    }
    c = choose_thresholds(scores, margin=0.25)
    e995 = sorted(scores["empty"])[995]
    c005 = sorted(scores["clear"])[2]
    assert c.empty_995 == e995 and c.clear_005 == c005
    assert c.thresholds.marked == pytest.approx(c005 - 0.25 * (c005 - sorted(scores["doubtful"])[49]))
    assert c.fate["clear"]["empty"] == 0 and c.fate["empty"]["vote"] == 0 and c.fate["doubtful"]["vote"] == 0
    scores["empty"] += list(rng.uniform(0.1, 0.3, 20))  # 2 % of empty squares darker than marks
    with pytest.raises(SanaqError) as refused:
        choose_thresholds(scores)
    f = overlap_figures(scores["empty"], scores["clear"])
    assert refused.value.code == "thresholds_overlap" and refused.value.detail == overlap_text(f)["en"]
    assert f["empty_above_clear_005"] >= 15 and f["overlap"] > 0
    with pytest.raises(SanaqError) as few:
        choose_thresholds({"empty": [0.0] * 5, "clear": [0.5] * 5})
    assert few.value.code == "thresholds_too_few"
    assert histogram_png(scores, Thresholds(), "t").startswith(b"\x89PNG")


def test_the_station_reads_with_the_recorded_thresholds(tmp_path: Path) -> None:
    from kiosk.calibration.thresholds import Choice, record_thresholds

    pkg = load_election(None)
    journal = Journal.create(tmp_path / "j.sqlite", pkg.election_hash, "379", FixedClock())
    sheet = generate_sheet(pkg.election, pkg.election_hash, "MZ-LIST", 9, 0, DeckOptions.clean())
    st = Station(journal, pkg, development=True)
    assert st.reader("official").thresholds == Thresholds()
    # Thresholds so high that no mark of the clean sheet counts: every mark is for review.
    high = Thresholds(marginal=0.01, marked=0.99)
    record_thresholds(
        journal, "technician", "T", Choice(high, 0.25, 0.0, 0.0, 0.0, {}, {}), "0" * 64, "0" * 64
    )
    st = Station(journal, pkg, development=True)
    assert st.reader("official").thresholds == high and st.reader("test").thresholds == high
    before = Station(Journal.create(tmp_path / "k.sqlite", pkg.election_hash, "379", FixedClock()), pkg, True)
    images = [sheet.back_bytes, sheet.front_bytes]
    marked = [m for m in before.reader("official").read_sheet(images).contests[0].marks if m.mark != "empty"]
    assert marked and all(m.mark == "marked" for m in marked)
    after = [m for m in st.reader("official").read_sheet(images).contests[0].marks if m.mark != "empty"]
    assert after and all(m.mark == "marginal" for m in after)


def test_thresholds_are_not_changed_while_counting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = station(tmp_path)
    assert (
        main(["station", "--data", str(data), "--role", "chair", "--member", "A", "--development", "open"])
        == 0
    )
    capsys.readouterr()
    folder, truth = inbox(tmp_path)
    assert calibrate(data, folder, truth) == 2
    assert (
        json.loads(capsys.readouterr().err.strip().splitlines()[-1])["error"]["code"]
        == "action_not_allowed_now"
    )


def test_a_threshold_edited_in_the_file_is_not_believed(tmp_path: Path) -> None:
    import sqlite3

    from kiosk.calibration.thresholds import Choice, record_thresholds

    pkg = load_election(None)
    journal = Journal.create(tmp_path / "j.sqlite", pkg.election_hash, "379", FixedClock())
    t = Thresholds(0.02, 0.06)
    record_thresholds(journal, "technician", "T", Choice(t, 0.25, 0.0, 0.0, 0.0, {}, {}), "0" * 64, "0" * 64)
    assert recorded_thresholds(journal) == t
    journal.close()
    db = sqlite3.connect(tmp_path / "j.sqlite")
    (detail,) = db.execute("SELECT detail FROM audit WHERE kind=?", (KIND,)).fetchone()
    db.execute(
        "UPDATE audit SET detail=? WHERE kind=?", (detail.replace('"marked":0.06', '"marked":0.9'), KIND)
    )
    db.commit()
    db.close()
    journal = Journal.open(tmp_path / "j.sqlite", FixedClock())
    with pytest.raises(SanaqError) as refused:
        Station(journal, pkg, development=True).reader("official")
    assert refused.value.code == "journal_tampered"
