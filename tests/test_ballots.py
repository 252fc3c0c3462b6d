"""Ballot layout, rendering and marked decks: geometry, bytes, text and QR read back."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from fieldkit.deck import DeckOptions, canvas_margins, generate_sheet, write_deck
from kiosk.ballots.layout import build_layout, parse_qr_payload
from kiosk.ballots.render import render_pdf, render_side_grey
from kiosk.election.package import LoadedPackage
from kiosk.election.sample import sample_election


def _render(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "ballots", "render", "--dpi", "150", "--out", str(out), *extra],
        capture_output=True,
        text=True,
        check=True,
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("render")
    _render(out)
    return out


STYLES = ["MZ-LIST", "MZ-SMD-02", "AST-LIST", "AST-SMD-07"]


def test_layout_sanity(sample: LoadedPackage) -> None:
    for style in sample.election.styles:
        layout = build_layout(sample.election, sample.election_hash, style.id)
        contest = sample.election.contest(style.contest)
        assert layout.width_mm == 148.0
        assert 210.0 <= layout.height_mm <= 500.0
        assert [t.option for t in layout.targets] == [o.id for o in contest.options]  # ballot order
        ys = [t.box.y for t in layout.targets]
        assert ys == sorted(ys) and len(set(ys)) == len(ys)
        furniture = [*layout.back.fiducials, layout.back.qr, *(m.box for m in layout.timing_marks)]
        boxes = [t.box for t in layout.targets] + furniture
        for i, a in enumerate(boxes):
            assert a.inside(layout.width_mm, layout.height_mm)
            for b in boxes[i + 1 :]:
                assert not a.overlaps(b)
        # Nothing dark near a fiducial, so the coarse search never merges it with print.
        from kiosk.ballots.layout import FIDUCIAL_CLEARANCE, QR_MODULE, QR_QUIET, Box, QrCode, Rect

        dark = [
            p.box
            for p in layout.back.drawing + layout.front.drawing
            if isinstance(p, Rect) and p.box not in layout.back.fiducials
        ]
        q = QR_QUIET * QR_MODULE
        dark += [
            Box(p.box.x + q, p.box.y + q, p.box.w - 2 * q, p.box.h - 2 * q)
            for p in layout.back.drawing
            if isinstance(p, QrCode)
        ]
        c = FIDUCIAL_CLEARANCE - 0.01
        for f in layout.back.fiducials:
            grown = Box(f.x - c, f.y - c, f.w + 2 * c, f.h + 2 * c)
            assert not any(grown.overlaps(d) for d in dark), (style.id, f)
        # Two timing marks per row, level with the square's centre.
        for t in layout.targets:
            marks = [m for m in layout.timing_marks if m.row == t.row]
            assert len(marks) == 2 and all(abs(m.box.cy - t.box.cy) < 1e-9 for m in marks)


def test_42_candidates_fit_within_500mm(sample: LoadedPackage) -> None:
    layout = build_layout(sample.election, sample.election_hash, "MZ-SMD-02")
    assert len(layout.targets) == 43
    assert layout.height_mm <= 500.0
    assert layout.row_height_mm >= 9.0


def test_short_contests_stay_on_a5(sample: LoadedPackage) -> None:
    for style in ("MZ-LIST", "AST-LIST", "AST-SMD-07"):
        assert build_layout(sample.election, sample.election_hash, style).height_mm == 210.0


def test_render_is_byte_identical_twice(rendered: Path, tmp_path: Path) -> None:
    _render(tmp_path)
    for name in sorted(p.name for p in rendered.iterdir()):
        a, b = (rendered / name).read_bytes(), (tmp_path / name).read_bytes()
        assert hashlib.sha256(a).digest() == hashlib.sha256(b).digest(), name


def test_render_outputs_and_layout_json(rendered: Path) -> None:
    for style in STYLES:
        for suffix in (".pdf", ".png", ".front.png", ".layout.json"):
            assert (rendered / f"{style}{suffix}").stat().st_size > 1000
        doc = json.loads((rendered / f"{style}.layout.json").read_text())
        assert doc["style"] == style and doc["dpi"] == 150
        assert set(doc["page"]) == {"width_mm", "height_mm"}
        assert {"x_mm", "y_mm", "w_mm", "h_mm"} <= set(doc["qr"])
        for t in doc["targets"]:
            assert {"contest", "option", "x_mm", "y_mm", "w_mm", "h_mm"} <= set(t)
        png = Image.open(rendered / f"{style}.png")
        assert png.mode == "L"
        assert png.size == (round(148 / 25.4 * 150), round(doc["page"]["height_mm"] / 25.4 * 150))


def test_png_squares_are_where_the_layout_says(rendered: Path) -> None:
    """Each square's printed border is dark and its inside white, at the layout JSON's place."""
    for style in STYLES:
        doc = json.loads((rendered / f"{style}.layout.json").read_text())
        img = np.asarray(Image.open(rendered / f"{style}.png"))
        s = doc["dpi"] / 25.4
        for t in doc["targets"]:
            x0, y0 = round(t["x_mm"] * s), round(t["y_mm"] * s)
            x1, y1 = round((t["x_mm"] + t["w_mm"]) * s), round((t["y_mm"] + t["h_mm"]) * s)
            assert img[y0 + 4 : y1 - 4, x0 + 4 : x1 - 4].min() > 200  # empty inside
            assert img[(y0 + y1) // 2, x0 : x0 + 2].min() < 80  # left border
            assert img[y0 - 3 : y0 - 1, x0:x1].min() > 150  # nothing just above


def test_pdf_text_has_kazakh_and_russian_names(rendered: Path, sample: LoadedPackage) -> None:
    assert shutil.which("pdftotext"), "poppler-utils missing"
    for style in sample.election.styles:
        text = subprocess.run(
            ["pdftotext", str(rendered / f"{style.id}.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout
        text = " ".join(text.split())
        for option in sample.election.contest(style.contest).options:
            assert option.name.kk in text, option.name.kk
            assert option.name.ru in text, option.name.ru
    fonts = subprocess.run(["pdffonts", str(rendered / "MZ-LIST.pdf")], capture_output=True, text=True).stdout
    assert fonts.count(" yes yes ") >= 2  # embedded and subset


def test_pdf_pages_match_the_png(rendered: Path) -> None:
    """The printed page (PDF rasterised by poppler) has the squares where the PNG has them."""
    out = rendered / "poppler"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-gray",
            "-png",
            "-f",
            "2",
            "-l",
            "2",
            str(rendered / "MZ-LIST.pdf"),
            str(out),
        ],
        check=True,
    )
    page = np.asarray(Image.open(next(rendered.glob("poppler*.png"))).convert("L"))
    png = np.asarray(Image.open(rendered / "MZ-LIST.png"))
    assert abs(page.shape[0] - png.shape[0]) <= 1 and abs(page.shape[1] - png.shape[1]) <= 1
    h, w = min(page.shape[0], png.shape[0]), min(page.shape[1], png.shape[1])
    dark_pdf = page[:h, :w] < 128
    dark_png = png[:h, :w] < 128
    # What the reader relies on (fiducials, timing marks, squares) is the same to the pixel edge;
    # text differs only by anti-aliasing.
    doc = json.loads((rendered / "MZ-LIST.layout.json").read_text())
    s = 150 / 25.4
    for b in [*doc["fiducials"], *doc["timing_marks"], *doc["targets"]]:
        y0, y1 = round((b["y_mm"] - 1) * s), round((b["y_mm"] + b["h_mm"] + 1) * s)
        x0, x1 = round((b["x_mm"] - 1) * s), round((b["x_mm"] + b["w_mm"] + 1) * s)
        diff = dark_pdf[y0:y1, x0:x1] ^ dark_png[y0:y1, x0:x1]
        assert diff.sum() <= 0.15 * dark_png[y0:y1, x0:x1].sum(), b
    assert abs(int(dark_pdf.sum()) - int(dark_png.sum())) < 0.1 * dark_png.sum()


def test_qr_decodes_from_png(rendered: Path, sample: LoadedPackage) -> None:
    for style in STYLES:
        for name, side in ((f"{style}.png", "back"), (f"{style}.front.png", "front")):
            found = decode(Image.open(rendered / name))
            assert len(found) == 1
            info = parse_qr_payload(found[0].data.decode())
            assert info is not None
            assert info.style == style and info.side == side and not info.test
            assert sample.election_hash.startswith(info.hash_prefix)


def test_test_ballots_say_so(sample: LoadedPackage) -> None:
    layout = build_layout(sample.election, sample.election_hash, "MZ-LIST", test=True)
    found = decode(Image.fromarray(render_side_grey(layout, "back", 150)))
    info = parse_qr_payload(found[0].data.decode())
    assert info is not None and info.test
    assert layout.back.qr_payload[-1:].encode() == b"T"


def test_pdf_deterministic_in_process(sample: LoadedPackage) -> None:
    layout = build_layout(sample.election, sample.election_hash, "AST-SMD-07")
    assert render_pdf(layout) == render_pdf(
        build_layout(sample_election(), sample.election_hash, "AST-SMD-07")
    )


def test_deck_is_deterministic_and_truth_is_consistent(tmp_path: Path, sample: LoadedPackage) -> None:
    a = write_deck(sample.election, sample.election_hash, "AST-SMD-07", 12, 7, tmp_path / "a")
    b = write_deck(sample.election, sample.election_hash, "AST-SMD-07", 12, 7, tmp_path / "b")
    assert a == b
    for f in (tmp_path / "a").iterdir():
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name
    for t in a:
        marked = [q.option for q in t.squares if q.expected == "marked"]
        marginal = [q for q in t.squares if q.expected == "marginal"]
        c = t.contests[0]
        if len(marked) >= 2:
            assert c.outcome == "overvote"
        elif marginal:
            assert c.outcome == "review" and t.status in ("review", "rejected")
        elif marked:
            assert c.outcome == "vote" and c.choice == marked[0]
        else:
            assert c.outcome == "blank"
    record = json.loads((tmp_path / "a" / "AST-SMD-07-000000.json").read_text())
    assert {"a", "b"} == set(record["images"])
    assert {record["images"]["a"]["side"], record["images"]["b"]["side"]} == {"front", "back"}


def test_deck_covers_every_mark_kind(sample: LoadedPackage) -> None:
    seen: set[str] = set()
    opt = DeckOptions(hesitation=0.3, erased=0.3, jpeg=False)
    for i in range(120):
        sheet = generate_sheet(sample.election, sample.election_hash, "MZ-LIST", 3, i, opt)
        seen |= {q.kind for q in sheet.truth.squares}
    assert seen >= {
        "tick",
        "cross",
        "plus",
        "filled",
        "circle",
        "scribble",
        "light_pencil",
        "hesitation_dot",
        "erased",
        "none",
    }


def test_deck_marks_land_in_the_squares(sample: LoadedPackage) -> None:
    """On a clean scan, ink appears inside exactly the squares the truth says were marked."""
    layout = build_layout(sample.election, sample.election_hash, "MZ-LIST")
    blank = render_side_grey(layout, "back", 200).astype(int)
    s = 200 / 25.4
    mx, my = canvas_margins(blank.shape[0], blank.shape[1], DeckOptions.clean(), s)
    for i in range(10):
        sheet = generate_sheet(sample.election, sample.election_hash, "MZ-LIST", 11, i, DeckOptions.clean())
        page = sheet.back[my : my + blank.shape[0], mx : mx + blank.shape[1]].astype(int)
        for t, q in zip(layout.targets, sheet.truth.squares, strict=True):
            b = t.box
            y0, y1, x0, x1 = (
                round(b.y * s) + 3,
                round((b.y + b.h) * s) - 3,
                round(b.x * s) + 3,
                round((b.x + b.w) * s) - 3,
            )
            ink = np.clip(blank[y0:y1, x0:x1] - page[y0:y1, x0:x1], 0, 255).sum() / 255
            if q.expected == "marked":
                assert ink > 20, (i, q)
            elif q.kind == "none":
                assert ink == 0, (i, q)


def test_deck_cli(tmp_path: Path) -> None:
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "fieldkit",
            "deck",
            "--style",
            "MZ-LIST",
            "--n",
            "3",
            "--seed",
            "5",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    assert len(list(tmp_path.glob("*.json"))) == 3
    img = cv2.imread(str(next(tmp_path.glob("*.a.*"))), cv2.IMREAD_UNCHANGED)
    assert img is not None and img.ndim == 2
    bad = subprocess.run(
        [sys.executable, "-m", "fieldkit", "deck", "--style", "NOPE", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and json.loads(bad.stderr)["error"]["code"] == "unknown_style"
