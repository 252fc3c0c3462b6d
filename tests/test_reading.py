"""The reader on real rendered and scanned-looking ballots: decisions and every refusal code."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import pytest

from fieldkit.deck import DeckOptions, GeneratedSheet, generate_sheet
from kiosk.ballots.layout import build_layout
from kiosk.ballots.render import render_side_grey
from kiosk.election.model import BallotStyle, Contest, Election, Option, Station, Text
from kiosk.election.package import election_hash
from kiosk.election.sample import sample_election
from kiosk.reading.model import SideReading
from kiosk.reading.reader import BallotReader
from kiosk.vocabulary import Mode

STYLES = ("MZ-LIST", "MZ-SMD-02", "AST-LIST", "AST-SMD-07")


@lru_cache(maxsize=4)
def reader(mode: Mode = "official", station: str = "379") -> BallotReader:
    e = sample_election()
    return BallotReader(e, election_hash(e), station, mode)


def sheet(
    style: str, index: int, opt: DeckOptions = DeckOptions(), seed: int = 5, test: bool = False
) -> GeneratedSheet:
    e = sample_election()
    return generate_sheet(e, election_hash(e), style, seed, index, opt, test=test)


def agrees(reading: SideReading, s: GeneratedSheet) -> None:
    t = s.truth
    assert reading.status == t.status, (reading, t)
    if t.status == "rejected":
        assert reading.reason == t.reason
        return
    assert reading.style == t.style and reading.side == "back"
    got = reading.contests[0]
    assert [m.mark for m in got.marks] == [q.expected for q in t.squares]
    assert [m.option for m in got.marks] == [q.option for q in t.squares]
    assert (got.outcome, got.choice) == (t.contests[0].outcome, t.contests[0].choice)


@pytest.mark.parametrize("style", STYLES)
def test_clean_scans_read_exactly(style: str) -> None:
    for i in range(6):
        s = sheet(style, i, DeckOptions.clean())
        agrees(reader().read(s.back), s)


@pytest.mark.parametrize("style", STYLES)
def test_scanned_looking_sheets_read_exactly(style: str) -> None:
    for i in range(12):
        s = sheet(style, i)
        agrees(reader().read_bytes(s.back_bytes), s)


def test_every_quarter_turn() -> None:
    s = sheet("AST-SMD-07", 3, DeckOptions(flip_180=0.0))
    base = reader().read(s.back)
    agrees(base, s)
    for rot, degrees in (
        (cv2.ROTATE_90_CLOCKWISE, 90),
        (cv2.ROTATE_180, 180),
        (cv2.ROTATE_90_COUNTERCLOCKWISE, 270),
    ):
        turned = reader().read(cv2.rotate(s.back, rot))
        assert turned.orientation == degrees
        assert turned.contests == base.contests or [m.mark for m in turned.contests[0].marks] == [
            m.mark for m in base.contests[0].marks
        ]


def test_five_degrees_and_three_percent_stretch() -> None:
    opt = DeckOptions(rotation_deg=5.0, scale=0.03, jpeg=False, noise=False, blur=False)
    for i in range(8):
        s = sheet("MZ-SMD-02", i, opt)
        agrees(reader().read(s.back), s)


def test_colour_and_16_bit_images() -> None:
    s = sheet("MZ-LIST", 1, DeckOptions.clean())
    colour = cv2.cvtColor(s.back, cv2.COLOR_GRAY2BGR)
    agrees(reader().read(colour), s)
    agrees(reader().read(s.back.astype(np.uint16) * 257), s)
    ok, tiff = cv2.imencode(".tiff", s.back)
    assert ok
    agrees(reader().read_bytes(tiff.tobytes()), s)
    ok, pnm = cv2.imencode(".pgm", s.back)
    assert ok
    agrees(reader().read_bytes(pnm.tobytes()), s)


def test_sheet_in_either_order_and_title_side_only() -> None:
    s = sheet("MZ-LIST", 2, DeckOptions(title_side_up=0.0))
    assert s.front is not None
    for images in ((s.front, s.back), (s.back, s.front)):
        agrees(reader().read_sheet(images), s)
    front_only = reader().read_sheet([s.front])
    assert (front_only.status, front_only.reason, front_only.side) == ("rejected", "title_side_only", "front")
    assert reader().read(s.front).reason == "title_side_only"


def test_streak_through_the_squares_needs_cleaning() -> None:
    hits = misses = 0
    for i in range(60):
        s = sheet("AST-LIST", i, DeckOptions(streak=1.0))
        r = reader().read_bytes(s.back_bytes)
        if s.truth.effects["streak_hits_squares"]:
            hits += 1
            assert (r.status, r.reason) == ("rejected", "needs_cleaning")
        else:
            misses += 1
            assert r.reason != "needs_cleaning"
            agrees(r, s)
    assert hits > 5 and misses > 5


def test_test_ballots_and_modes() -> None:
    official = sheet("MZ-LIST", 4, DeckOptions.clean())
    test = sheet("MZ-LIST", 4, DeckOptions.clean(), test=True)
    assert reader("official").read(test.back).reason == "test_ballot_in_official_mode"
    assert reader("test").read(official.back).reason == "official_ballot_in_test_mode"
    r = reader("test").read(test.back)
    assert r.status != "rejected" and r.test is True


def _other_election() -> Election:
    e = sample_election()
    return e.model_copy(update={"election": e.election.model_copy(update={"id": "kz-2023-other"})})


def test_wrong_election() -> None:
    other = _other_election()
    s = generate_sheet(other, election_hash(other), "MZ-LIST", 1, 0, DeckOptions.clean())
    r = reader().read(s.back)
    assert (r.status, r.reason) == ("rejected", "wrong_election")


def _two_station_election() -> Election:
    e = sample_election()
    contest = Contest(
        id="mazhilis-smd-astana-3",
        kind="single_mandate",
        seats=1,
        title=Text(kk="№3 округ", ru="Округ №3"),
        options=(
            Option(id="c01", name=Text(kk="Әбенов", ru="Абенов")),
            Option(id="c02", name=Text(kk="Бекұлы", ru="Бекулы")),
            e.contests[0].options[-1],
        ),
    )
    style = BallotStyle(
        id="MZ-SMD-03",
        contest=contest.id,
        colour="#3e9b5b",
        title=Text(kk="Бюллетень", ru="Бюллетень"),
        colour_name=Text(kk="жасыл", ru="зелёный"),
    )
    station = Station(
        id="380",
        name=Text(kk="№380", ru="№380"),
        address=Text(kk="-", ru="-"),
        styles=("MZ-LIST", "MZ-SMD-03"),
        voters_on_list=100,
    )
    return e.model_copy(
        update={
            "contests": (*e.contests, contest),
            "styles": (*e.styles, style),
            "stations": (*e.stations, station),
        }
    )


def test_wrong_station() -> None:
    e = _two_station_election()
    Election.model_validate(e.model_dump())  # still a valid package
    h = election_hash(e)
    s = generate_sheet(e, h, "MZ-SMD-03", 1, 0, DeckOptions.clean())
    at_379 = BallotReader(e, h, "379").read(s.back)
    assert (at_379.status, at_379.reason) == ("rejected", "wrong_station")
    at_380 = BallotReader(e, h, "380").read(s.back)
    assert at_380.status != "rejected"


def test_not_a_ballot_blank_page_and_bad_bytes() -> None:
    rng = np.random.default_rng(0)
    photo = cv2.GaussianBlur(rng.integers(0, 255, (1200, 900), dtype=np.uint8), (0, 0), 3)
    cv2.rectangle(photo, (100, 100), (400, 300), 20, -1)
    assert reader().read(photo).reason == "not_a_ballot"
    assert reader().read(np.full((1600, 1100), 245, np.uint8)).reason == "blank_page"
    assert reader().read_bytes(b"\x89PNG\r\n\x1a\n garbage").reason == "image_undecodable"
    assert reader().read_bytes(b"").reason == "image_undecodable"
    assert reader().read(np.zeros((40, 40), np.uint8)).reason == "image_size_unsupported"
    assert reader().read(np.zeros((10, 10, 10), np.uint8)).reason == "image_undecodable"


def white_out_timing_marks(style: str, img: np.ndarray, which: set[tuple[int, str]]) -> np.ndarray:
    """Paint paper over the timing marks named (row, edge) of a clean 200-dpi scan."""
    layout = build_layout(sample_election(), election_hash(sample_election()), style)
    px = 200 / 25.4
    blank = render_side_grey(layout, "back", 200)
    mx = (img.shape[1] - blank.shape[1]) // 2
    my = (img.shape[0] - blank.shape[0]) // 2
    img = img.copy()
    for m in layout.timing_marks:
        if (m.row, m.edge) in which:
            b = m.box
            img[
                my + int((b.y - 1) * px) : my + int((b.y + b.h + 1) * px),
                mx + int((b.x - 1) * px) : mx + int((b.x + b.w + 1) * px),
            ] = 255
    return img


def test_unreadable_when_timing_marks_are_gone() -> None:
    s = sheet("AST-SMD-07", 0, DeckOptions.clean())
    # The marks of most rows, on both edges.
    img = white_out_timing_marks(
        "AST-SMD-07", s.back, {(row, e) for row in range(6) for e in ("left", "right")}
    )
    r = reader().read(img)
    assert (r.status, r.reason) == ("rejected", "unreadable")


def test_a_few_missing_timing_marks_are_filled_from_their_neighbours() -> None:
    """Ink over a mark or a tear: the row is placed from the corner homography and the
    nearest rows' residuals, and the sheet still reads exactly."""
    layout = build_layout(sample_election(), election_hash(sample_election()), "MZ-SMD-02")
    tested = 0
    for i in range(12):
        s = sheet("MZ-SMD-02", i, DeckOptions.clean())
        marked = [
            t.row for t, q in zip(layout.targets, s.truth.squares, strict=True) if q.expected == "marked"
        ]
        if not marked:
            continue
        # The marked row loses its left mark, the row below both of its own.
        below = marked[0] + 1 if marked[0] + 1 < len(layout.targets) else marked[0] - 1
        gone = {(marked[0], "left"), (below, "left"), (below, "right"), (40, "right")}
        agrees(reader().read(white_out_timing_marks("MZ-SMD-02", s.back, gone)), s)
        tested += 1
    assert tested >= 4


def test_layout_mismatch_when_stretched() -> None:
    s = sheet("MZ-LIST", 0, DeckOptions.clean())
    stretched = cv2.resize(s.back, (s.back.shape[1], int(s.back.shape[0] * 1.12)))
    r = reader().read(stretched)
    assert (r.status, r.reason) == ("rejected", "layout_mismatch")


def test_review_keeps_crops() -> None:
    opt = DeckOptions(hesitation=1.0, jpeg=False)
    s = next(x for x in (sheet("MZ-LIST", i, opt) for i in range(20)) if x.truth.status == "review")
    r = reader().read(s.back)
    assert r.status == "review"
    squares = [c for c in r.crops if c.kind == "square"]
    rows = [c for c in r.crops if c.kind == "row"]
    assert len(squares) == len(rows) == 8
    assert all(40 < c.image.shape[0] < 160 for c in squares)
    assert all(c.image.shape[1] > 4 * c.image.shape[0] for c in rows)


def test_cli_read_json_lines(tmp_path: Path) -> None:
    good = sheet("AST-LIST", 1, DeckOptions.clean())
    (tmp_path / "good.png").write_bytes(good.back_bytes)
    (tmp_path / "front.png").write_bytes(good.front_bytes)
    (tmp_path / "junk.jpg").write_bytes(b"not an image")
    files = [str(tmp_path / n) for n in ("good.png", "front.png", "junk.jpg", "missing.png")]
    r = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "read", *files, "--crops", str(tmp_path / "crops")],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["file"] for x in lines] == files
    first = lines[0]
    assert {"file", "status", "reason", "style", "contests"} <= set(first)
    assert first["status"] == "ok" and first["style"] == "AST-LIST"
    contest = first["contests"][0]
    assert {"contest", "outcome", "choice", "marks"} <= set(contest)
    assert {"option", "score", "mark", "reason"} == set(contest["marks"][0])
    assert (
        contest["outcome"] == good.truth.contests[0].outcome
        and contest["choice"] == good.truth.contests[0].choice
    )
    assert [x["reason"] for x in lines[1:]] == ["title_side_only", "image_undecodable", "file_unreadable"]
    assert all(x["message"]["kk"] and x["message"]["ru"] for x in lines[1:])
    assert len(list((tmp_path / "crops" / "good").glob("*.png"))) == 16
