"""The station's logic-and-accuracy (L&A) test deck: test ballots with known, clean marks and
the tally they must give (issue 16).

Every ballot style of the station gets:

- vote sheets: option i of n (in ballot order) voted a known number of times, all different
  (scheme `full`: 1, 2, ..., n), so that two options swapped anywhere (a misprinted order,
  a wrong layout, a square read as its neighbour) change two lines of the tally;
  scheme `cycle:K` (a shorter deck): 1, 2, ..., K, 1, 2, ... (options fewer than K rows
  apart always differ; a swap of two options a multiple of K rows apart would not show:
  the deck says so);
- 2 blank sheets, 2 overvoted sheets (two clear marks), the last option ("against all")
  counted among the votes like any other;
- 2 sheets meant for the commission's review: a lone small dot, and a clear mark with a
  small dot in another square (its size chosen between the station's two thresholds).

and the station as a whole gets sheets that must come back out of the scanner: a test
ballot of another election (`wrong_election`) and, where the package can tell stations
apart, one of another station (`wrong_station`).

The marks are drawn by product code (clean solid fills inside the square, the layout's own
primitives through `kiosk.ballots.render`), not by the test equipment's voter model: the
L&A test checks the station's logic and its scanner on clear marks; the reader's accuracy
on real marks is measured elsewhere (`benchmarks/accuracy.py`, the mark thresholds).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from kiosk.ballots.layout import (
    EDGE,
    FIDUCIAL,
    TARGET,
    TARGET_STROKE,
    BallotLayout,
    Box,
    Primitive,
    Rect,
    TextRun,
    build_layout,
)
from kiosk.election.model import Election
from kiosk.election.rules import invalid_outcomes, returned_to_voter
from kiosk.errors import SanaqError
from kiosk.reading.model import Thresholds

FORMAT = "sanaq.test-deck/1"
SheetKind = Literal[
    "vote", "blank", "overvote", "review", "review_with_vote", "wrong_election", "wrong_station"
]
BLANKS = 2
OVERVOTES = 2
INTERIOR_MM2 = (TARGET - 2 * TARGET_STROKE) ** 2
# Sheets per PDF file at most: a feeder's batch, and a file a print shop takes.
PDF_BATCH = 200


@dataclass(frozen=True)
class DeckSheet:
    name: str
    style: str
    kind: SheetKind
    marks: tuple[int, ...] = ()  # option indexes with a clear mark
    dots: tuple[int, ...] = ()  # option indexes with a small dot (meant for review)
    station: str | None = None  # another station's sheet: its id

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "style": self.style,
            "kind": self.kind,
            "marks": list(self.marks),
            "dots": list(self.dots),
            "station": self.station,
        }


@dataclass(frozen=True)
class DeckPlan:
    station: str
    election_hash: str
    scheme: str
    sheets: tuple[DeckSheet, ...]
    expected: dict[str, Any]
    not_included: tuple[str, ...]


def vote_counts(n: int, scheme: str) -> list[int]:
    """How many times each of n options is voted, in ballot order."""
    if scheme == "full":
        return list(range(1, n + 1))
    if scheme.startswith("cycle:"):
        try:
            k = int(scheme.split(":", 1)[1])
        except ValueError as exc:
            raise SanaqError("test_deck_mismatch", f"scheme {scheme}") from exc
        if k < 2:
            raise SanaqError("test_deck_mismatch", f"scheme {scheme}: K must be at least 2")
        return [1 + i % k for i in range(n)]
    raise SanaqError("test_deck_mismatch", f"scheme {scheme}: full or cycle:K")


def unseen_swaps(n: int, scheme: str) -> int:
    """How many of the n(n-1)/2 possible swaps of two options the scheme would not see."""
    counts = vote_counts(n, scheme)
    return sum(1 for i in range(n) for j in range(i + 1, n) if counts[i] == counts[j])


def plan_deck(election: Election, election_hash: str, station_id: str, scheme: str = "full") -> DeckPlan:
    station = election.station(station_id)
    rules = election.rules
    invalid = invalid_outcomes(rules)
    sheets: list[DeckSheet] = []
    contests: dict[str, dict[str, Any]] = {}
    returned: dict[str, int] = {}
    counted = 0
    seq = 0

    def add(style: str, kind: SheetKind, marks: tuple[int, ...] = (), dots: tuple[int, ...] = ()) -> None:
        nonlocal seq
        seq += 1
        sheets.append(DeckSheet(f"LA{seq:04d}-{style}", style, kind, marks, dots))

    for style_id in station.styles:
        contest = election.contest(election.style(style_id).contest)
        n = len(contest.options)
        counts = vote_counts(n, scheme)
        for i, c in enumerate(counts):
            for _ in range(c):
                add(style_id, "vote", (i,))
        for _ in range(BLANKS):
            add(style_id, "blank")
        overvotes = [(0, n - 1), (1, 2 if n > 2 else 0)][:OVERVOTES]
        for pair in overvotes:
            add(style_id, "overvote", tuple(sorted(set(pair))))
        add(style_id, "review", (), (n // 2,))
        add(style_id, "review_with_vote", (0,), (n - 1,))
        # What the station must make of them, by the package's rules.
        lines: dict[str, int] = {"blank": 0, "overvote": 0, "invalid": 0, "review_pending": 2}
        counted += sum(counts) + 2
        for outcome, k in (("blank", BLANKS), ("overvote", len(overvotes))):
            if returned_to_voter(rules, [outcome]):
                returned["invalid_returned"] = returned.get("invalid_returned", 0) + k
                continue
            lines[outcome] = k
            if outcome in invalid:
                lines["invalid"] += k
            counted += k
        options = {o.id: c for o, c in zip(contest.options, counts, strict=True)}
        contests[contest.id] = {"options": options, **lines}

    # Sheets the station must give back.
    first = station.styles[0]
    seq += 1
    sheets.append(DeckSheet(f"LA{seq:04d}-{first}", first, "wrong_election", (0,)))
    returned["wrong_election"] = returned.get("wrong_election", 0) + 1
    not_included: list[str] = []
    other = _other_station(election, station_id)
    if other is not None:
        seq += 1
        other_id, style = other
        sheets.append(DeckSheet(f"LA{seq:04d}-{style}", style, "wrong_station", (0,), (), other_id))
        returned["wrong_station"] = returned.get("wrong_station", 0) + 1
    else:
        not_included.append(
            "wrong_station: the package's ballots are not station-specific and no other station has a "
            "style this one lacks, so another station's ballot cannot be told from this one's"
        )
    expected = {
        "format": FORMAT,
        "station": station_id,
        "election_hash": election_hash,
        "scheme": scheme,
        "sheets": counted,
        "returned": dict(sorted(returned.items())),
        "contests": dict(sorted(contests.items())),
        "deck": {
            "total_sheets": len(sheets),
            "sheets_per_style": {s: sum(1 for d in sheets if d.style == s) for s in station.styles},
            "swaps_not_seen": {
                s: unseen_swaps(len(election.contest(election.style(s).contest).options), scheme)
                for s in station.styles
            },
            "not_included": not_included,
        },
    }
    return DeckPlan(station_id, election_hash, scheme, tuple(sheets), expected, tuple(not_included))


def expected_reading(election: Election, sheet: DeckSheet) -> tuple[str, str | None] | str:
    """What the station must make of a deck sheet: (outcome, choice) for a sheet it counts, or
    the reason it gives the sheet back. (The rules' second chance, `return_invalid_to_voter`,
    returns blank and overvoted sheets: `invalid_returned`.)"""
    if sheet.kind in ("wrong_election", "wrong_station"):
        return sheet.kind
    contest = election.contest(election.style(sheet.style).contest)
    outcome: str
    choice: str | None = None
    if sheet.kind == "vote":
        outcome, choice = "vote", contest.options[sheet.marks[0]].id
    elif sheet.kind in ("review", "review_with_vote"):
        outcome = "review"
    else:
        outcome = sheet.kind  # blank, overvote
    if returned_to_voter(election.rules, [outcome]):
        return "invalid_returned"
    return outcome, choice


def _other_station(election: Election, station_id: str) -> tuple[str, str] | None:
    """(another station, a style of its) whose ballot this station must refuse, if any."""
    mine = set(election.station(station_id).styles)
    for st in election.stations:
        if st.id == station_id:
            continue
        for s in st.styles:
            if s not in mine:
                return st.id, s  # a style this station does not have
            if election.rules.station_specific_ballots:
                return st.id, s  # the same style, but the QR names the other station
    return None


# --- drawing -------------------------------------------------------------------------------------------


def dot_side_mm(thresholds: Thresholds) -> float:
    """The side of a small square dot whose ink share of the square's inside lies between the
    two thresholds (their geometric mean): the reader must send it to the commission."""
    share = (max(thresholds.marginal, 1e-4) * thresholds.marked) ** 0.5
    return float((share * INTERIOR_MM2) ** 0.5)


def mark_primitives(
    layout: BallotLayout, options: list[str], sheet: DeckSheet, thresholds: Thresholds
) -> tuple[Primitive, ...]:
    """A clear mark is the square's inside filled solid (0.6 mm in from the printed border);
    a review dot a small solid square at the centre. Each in the square printed next to its
    option (`options`: the package's option ids, which the sheet's indexes refer to), wherever
    the ballot prints it: a ballot printed in another order gets its marks by name."""
    out: list[Primitive] = []
    boxes = {t.option: t.box for t in layout.targets}
    inset = TARGET_STROKE + 0.6
    for i in sheet.marks:
        b = boxes[options[i]]
        out.append(Rect(Box(b.x + inset, b.y + inset, b.w - 2 * inset, b.h - 2 * inset), fill="#101010"))
    d = dot_side_mm(thresholds)
    for i in sheet.dots:
        b = boxes[options[i]]
        out.append(Rect(Box(b.cx - d / 2, b.cy - d / 2, d, d), fill="#101010"))
    return tuple(out)


def label_primitive(layout: BallotLayout, text: str) -> TextRun:
    """The sheet's number, low on the page between the QR and the corner fiducial (nothing
    the reader looks at), so that a missing sheet can be found by hand."""
    return TextRun(
        layout.width_mm / 2 + 10, layout.height_mm - EDGE - FIDUCIAL / 2, 7, text, False, "#000000", "left"
    )


def sheet_layout(
    election: Election,
    election_hash: str,
    station_id: str,
    sheet: DeckSheet,
    thresholds: Thresholds,
    printed: Election | None = None,
) -> BallotLayout:
    """The sheet as printed: a test ballot of its style with its marks and its label.
    `printed`: the election as the printer printed it, when it differs from the package (a
    misprint the test must catch); the marks follow the names."""
    options = [o.id for o in election.contest(election.style(sheet.style).contest).options]
    election = printed or election
    if sheet.kind == "wrong_election":
        # A test ballot of an election that is not this one: the QR carries another hash.
        foreign = hashlib.sha256(b"sanaq: another election\0" + election_hash.encode()).hexdigest()
        base = build_layout(election, foreign, sheet.style, True, station_id)
    else:
        base = build_layout(election, election_hash, sheet.style, True, sheet.station or station_id)
    label = f"L&A {sheet.name} · {sheet.kind}"
    back = replace(
        base.back,
        drawing=base.back.drawing
        + mark_primitives(base, options, sheet, thresholds)
        + (label_primitive(base, label),),
    )
    front = replace(base.front, drawing=(*base.front.drawing, label_primitive(base, label)))
    return replace(base, back=back, front=front)


def write_test_deck(
    election: Election,
    election_hash: str,
    station_id: str,
    out: Path,
    thresholds: Thresholds = Thresholds(),
    scheme: str = "full",
    dpi: int = 200,
    images: bool = True,
    pdf: bool = True,
    printed: Election | None = None,
) -> DeckPlan:
    """DIR/expected.json (the tally the deck must give), DIR/deck.json (every sheet),
    DIR/images/NAME.a.png (choices side) + NAME.b.png (title side) for the folder scanner and
    the emulator, DIR/pdf/STYLE-NN.pdf (print duplex, in order; at most PDF_BATCH sheets a file)."""
    from kiosk.ballots.render import draw_over, render_pdf_sheets, render_side_image

    plan = plan_deck(election, election_hash, station_id, scheme)
    out.mkdir(parents=True, exist_ok=True)
    (out / "expected.json").write_text(json.dumps(plan.expected, ensure_ascii=False, indent=1) + "\n")
    manifest = {
        "format": FORMAT,
        "station": station_id,
        "scheme": scheme,
        "dpi": dpi,
        "thresholds": {"marginal": thresholds.marginal, "marked": thresholds.marked},
        "sheets": [s.to_json() for s in plan.sheets],
    }
    (out / "deck.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    layouts = [
        (s, sheet_layout(election, election_hash, station_id, s, thresholds, printed)) for s in plan.sheets
    ]
    if images:
        folder = out / "images"
        folder.mkdir(exist_ok=True)
        blanks: dict[tuple[str, str, str, str], Any] = {}
        for sheet, layout in layouts:
            for side, suffix in (("back", "a"), ("front", "b")):
                key = (layout.style, layout.election_hash, side, sheet.station or "")
                base = build_layout(
                    printed or election, layout.election_hash, layout.style, True, sheet.station or station_id
                )
                if key not in blanks:
                    blanks[key] = render_side_image(base, side, dpi)  # type: ignore[arg-type]
                extra = layout.side(side).drawing[len(base.side(side).drawing) :]  # type: ignore[arg-type]
                image = draw_over(blanks[key], extra, dpi).convert("L")
                image.save(folder / f"{sheet.name}.{suffix}.png", compress_level=1)
    if pdf:
        folder = out / "pdf"
        folder.mkdir(exist_ok=True)
        for style in (*election.station(station_id).styles, "returned"):
            these = [
                lay
                for s, lay in layouts
                if (s.kind in ("wrong_election", "wrong_station")) == (style == "returned")
                and (style == "returned" or s.style == style)
            ]
            for k in range(0, len(these), PDF_BATCH):
                part = these[k : k + PDF_BATCH]
                name = f"{style}-{k // PDF_BATCH + 1:02d}.pdf"
                (folder / name).write_bytes(
                    render_pdf_sheets(part, f"Sanaq L&A test deck {station_id} {name}")
                )
    return plan
