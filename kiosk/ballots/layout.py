"""Ballot geometry, derived deterministically from the election package.

Everything is in millimetres from the top-left corner of the page. The same package
gives the same layout, and so the same PDF and PNG bytes.

Registration design (see docs/ballot-design.md): four solid corner fiducials give a
homography; a timing mark at each option row on both edges lets the reader correct
locally along a long ballot (paper stretch, feed slip), the way US ballots use a
timing track, but with one mark per row so that each row has its own reference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Literal

import segno
from PIL import ImageFont

from kiosk.election.model import (
    BALLOT_WIDTH_MM,
    MAX_BALLOT_LENGTH_MM,
    MIN_BALLOT_LENGTH_MM,
    STATION_CODE_CHARS,
    Election,
    Rules,
    station_code,
)
from kiosk.election.rules import instruction_sentence
from kiosk.vocabulary import Side as Side

LAYOUT_VERSION = 1
QR_PREFIX = "SQ"
QR_HASH_CHARS = 10
PT_MM = 25.4 / 72.0

# Page furniture (mm).
EDGE = 4.0  # fiducial offset from the paper edge
FIDUCIAL = 7.0  # solid square
FIDUCIAL_CLEARANCE = 5.0  # nothing dark this close to a fiducial
TIMING_W, TIMING_H = 4.0, 1.6
TARGET = 6.0  # the voter's square
TARGET_STROKE = 0.35
TARGET_X = 125.0
TEXT_X = 18.0
TEXT_RIGHT = TARGET_X - 4.0
QR_MODULE = 0.5
QR_MODULES = 25  # version 2
QR_QUIET = 4
QR_SIZE = (QR_MODULES + 2 * QR_QUIET) * QR_MODULE  # 16.5 mm with its quiet zone
FOOTER = 30.0
MIN_ROW, MAX_ROW = 9.0, 16.0
A5_MIN_ROW, GROW_ROW = 10.5, 12.0


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def overlaps(self, other: Box) -> bool:
        return not (
            self.x + self.w <= other.x
            or other.x + other.w <= self.x
            or self.y + self.h <= other.y
            or other.y + other.h <= self.y
        )

    def inside(self, width: float, height: float) -> bool:
        return self.x >= 0 and self.y >= 0 and self.x + self.w <= width and self.y + self.h <= height


@dataclass(frozen=True)
class Rect:
    box: Box
    fill: str | None = None  # "#rrggbb"
    stroke: str | None = None
    stroke_mm: float = 0.0


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    width_mm: float
    colour: str = "#000000"


@dataclass(frozen=True)
class TextRun:
    x: float  # left edge of the text (or right edge when align == "right")
    y: float  # baseline
    size_pt: float
    text: str
    bold: bool = False
    colour: str = "#000000"
    align: Literal["left", "right", "center"] = "left"


@dataclass(frozen=True)
class QrCode:
    box: Box  # including the quiet zone
    payload: str


Primitive = Rect | Line | TextRun | QrCode


@dataclass(frozen=True)
class Target:
    contest: str
    option: str
    row: int
    box: Box


@dataclass(frozen=True)
class TimingMark:
    row: int
    edge: Literal["left", "right"]
    box: Box


@dataclass(frozen=True)
class SideLayout:
    side: Side
    qr_payload: str
    qr: Box
    fiducials: tuple[Box, Box, Box, Box]  # top-left, top-right, bottom-right, bottom-left
    drawing: tuple[Primitive, ...]


@dataclass(frozen=True)
class BallotLayout:
    style: str
    contest: str
    election_hash: str
    test: bool
    width_mm: float
    height_mm: float
    row_height_mm: float
    front: SideLayout
    back: SideLayout
    targets: tuple[Target, ...]
    timing_marks: tuple[TimingMark, ...]
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def side(self, side: Side) -> SideLayout:
        return self.front if side == "front" else self.back

    def to_json(self, dpi: int) -> dict[str, object]:
        """The layout JSON contract (see the README): names here are stable."""

        def b(box: Box) -> dict[str, float]:
            return {"x_mm": box.x, "y_mm": box.y, "w_mm": box.w, "h_mm": box.h}

        return {
            "style": self.style,
            "contest": self.contest,
            "dpi": dpi,
            "layout_version": LAYOUT_VERSION,
            "election_hash": self.election_hash,
            "test": self.test,
            "page": {"width_mm": self.width_mm, "height_mm": self.height_mm},
            "qr": b(self.back.qr),
            "qr_payload": self.back.qr_payload,
            "fiducials": [b(f) for f in self.back.fiducials],
            "timing_marks": [{"row": m.row, "edge": m.edge, **b(m.box)} for m in self.timing_marks],
            "targets": [
                {"contest": t.contest, "option": t.option, "row": t.row, **b(t.box)} for t in self.targets
            ],
        }


# --- QR payload ------------------------------------------------------------------


def qr_payload(election_hash: str, style: str, side: Side, test: bool, station: str | None = None) -> str:
    """Upper-case alphanumeric so it fits a version-2 QR at error level M (38 characters;
    37 at most with a station code). `station`: the station's code (station_code), for
    station-specific ballots only."""
    parts = [
        QR_PREFIX,
        f"L{LAYOUT_VERSION}",
        election_hash[:QR_HASH_CHARS].upper(),
        style,
        "F" if side == "front" else "B",
        "T" if test else "O",
    ]
    return ":".join(parts if station is None else [*parts, station])


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR's module grid without quiet zone (version 2, error level M, `QR_MODULES` square);
    the renderer draws it, the reader matches against it."""
    code = segno.make_qr(payload, error="m", version=2, boost_error=False)
    return [[bool(v) for v in row] for row in code.matrix]


@dataclass(frozen=True)
class QrInfo:
    layout_version: int
    hash_prefix: str
    style: str
    side: Side
    test: bool
    station: str | None = None  # the station code of a station-specific ballot


def parse_qr_payload(text: str) -> QrInfo | None:
    parts = text.split(":")
    if len(parts) not in (6, 7) or parts[0] != QR_PREFIX or not parts[1].startswith("L"):
        return None
    station = parts[6] if len(parts) == 7 else None
    if station is not None and (len(station) != STATION_CODE_CHARS or not station.isalnum()):
        return None
    try:
        version = int(parts[1][1:])
    except ValueError:
        return None
    if parts[4] not in ("F", "B") or parts[5] not in ("T", "O"):
        return None
    return QrInfo(
        version, parts[2].lower(), parts[3], "front" if parts[4] == "F" else "back", parts[5] == "T", station
    )


# --- fonts and text ----------------------------------------------------------------


def font_path(bold: bool = False) -> str:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return str(resources.files("kiosk.ballots").joinpath("fonts", name))


@lru_cache(maxsize=8)
def _measure_font(bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(bold), 1000)


def text_width_mm(text: str, size_pt: float, bold: bool = False) -> float:
    return _measure_font(bold).getlength(text) / 1000.0 * size_pt * PT_MM


def wrap(text: str, size_pt: float, width_mm: float, bold: bool = False) -> list[str]:
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        trial = f"{current} {word}".strip()
        if current and text_width_mm(trial, size_pt, bold) > width_mm:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def fit_size(text: str, size_pt: float, width_mm: float, bold: bool = False, min_pt: float = 5.0) -> float:
    """Shrink a single line until it fits; names are never wrapped mid-row."""
    size = size_pt
    while size > min_pt and text_width_mm(text, size, bold) > width_mm:
        size -= 0.25
    return size


def _paragraph(
    out: list[Primitive],
    text: str,
    x: float,
    y: float,
    width: float,
    size: float,
    bold: bool = False,
    colour: str = "#000000",
    align: Literal["left", "center"] = "left",
) -> float:
    """Append wrapped lines starting with the first baseline at y; return the next free y."""
    leading = size * PT_MM * 1.25
    for ln in wrap(text, size, width, bold):
        if align == "center":
            out.append(TextRun(x + width / 2, y, size, ln, bold, colour, "center"))
        else:
            out.append(TextRun(x, y, size, ln, bold, colour))
        y += leading
    return y


# --- the layout ------------------------------------------------------------------------


def fiducials_for_height(height: float) -> tuple[Box, Box, Box, Box]:
    right = BALLOT_WIDTH_MM - EDGE - FIDUCIAL
    bottom = height - EDGE - FIDUCIAL
    return (
        Box(EDGE, EDGE, FIDUCIAL, FIDUCIAL),
        Box(right, EDGE, FIDUCIAL, FIDUCIAL),
        Box(right, bottom, FIDUCIAL, FIDUCIAL),
        Box(EDGE, bottom, FIDUCIAL, FIDUCIAL),
    )


def qr_box_for_height(height: float) -> Box:
    return Box(EDGE + FIDUCIAL + 3.0, height - EDGE - QR_SIZE, QR_SIZE, QR_SIZE)


HOW_TO_MARK_KK = "Өзіңіз дауыс беретін біреудің атының оң жағындағы бос шаршыға кез келген белгі қойыңыз."
HOW_TO_MARK_RU = "Поставьте любой знак в пустом квадрате справа от одной позиции, за которую вы голосуете."


def header_instructions(rules: Rules) -> tuple[str, str]:
    """How to mark, then what is invalid by the package's rules (kiosk.election.rules)."""
    kk, ru = instruction_sentence(rules)
    return (f"{HOW_TO_MARK_KK} {kk}".strip(), f"{HOW_TO_MARK_RU} {ru}".strip())


HEADER_INSTRUCTIONS_KK, HEADER_INSTRUCTIONS_RU = header_instructions(Rules())


def build_layout(
    election: Election, election_hash: str, style_id: str, test: bool = False, station: str | None = None
) -> BallotLayout:
    """`station`: the station id, needed (and used) only when the package asks for
    station-specific ballots; then its code is in the QR and its id in the footer."""
    code: str | None = None
    if election.rules.station_specific_ballots:
        if station is None:
            raise ValueError("station-specific ballots: name the station")
        code = station_code(election.station(station).id)
    style = election.style(style_id)
    contest = election.contest(style.contest)
    n_rows = len(contest.options)

    # Header height is fixed by the texts, so we lay it out first, at a provisional y.
    header: list[Primitive] = []
    text_w = BALLOT_WIDTH_MM - 2 * (EDGE + FIDUCIAL + 2.0)
    x0 = EDGE + FIDUCIAL + 2.0
    # The colour band prints dark in grey: keep it well clear of the fiducials.
    band = Box(
        EDGE + FIDUCIAL + FIDUCIAL_CLEARANCE,
        EDGE,
        BALLOT_WIDTH_MM - 2 * (EDGE + FIDUCIAL + FIDUCIAL_CLEARANCE),
        FIDUCIAL,
    )
    header.append(Rect(band, fill=style.colour))
    header.append(
        TextRun(
            BALLOT_WIDTH_MM / 2,
            EDGE + FIDUCIAL / 2 + 1.2,
            9,
            f"{style.colour_name.kk} / {style.colour_name.ru}",
            True,
            "#ffffff",
            "center",
        )
    )
    y = EDGE + FIDUCIAL + 5.0
    if test:
        y = _paragraph(
            header,
            "СЫНАҚ БЮЛЛЕТЕНІ — САНАЛМАЙДЫ / ТЕСТОВЫЙ БЮЛЛЕТЕНЬ — НЕ УЧИТЫВАЕТСЯ",
            x0,
            y,
            text_w,
            8,
            True,
            "#000000",
            "center",
        )
    y = _paragraph(header, contest.title.kk, x0, y, text_w, 8, True, align="center")
    y = _paragraph(header, contest.title.ru, x0, y, text_w, 7.5, False, align="center")
    y += 1.0
    instructions_kk, instructions_ru = header_instructions(election.rules)
    y = _paragraph(header, instructions_kk, x0, y, text_w, 6)
    y = _paragraph(header, instructions_ru, x0, y, text_w, 6)
    rows_top = y + 1.0

    # Rows share what is left of the longest allowed page; a short contest stays on A5.
    # A5 holds a contest while rows stay at least A5_MIN_ROW; a longer one grows at GROW_ROW
    # per row, compressed towards MIN_ROW only when even 500 mm would not hold it.
    on_a5 = (MIN_BALLOT_LENGTH_MM - rows_top - FOOTER) / n_rows
    if on_a5 >= A5_MIN_ROW:
        row_h = math.floor(min(MAX_ROW, on_a5) * 10) / 10
    else:
        available = MAX_BALLOT_LENGTH_MM - rows_top - FOOTER
        row_h = math.floor(min(GROW_ROW, available / n_rows) * 10) / 10
    if row_h < MIN_ROW:
        raise ValueError(
            f"style {style_id}: {n_rows} options do not fit on a {MAX_BALLOT_LENGTH_MM:.0f} mm ballot"
        )
    height = float(max(MIN_BALLOT_LENGTH_MM, math.ceil(rows_top + n_rows * row_h + FOOTER)))

    fiducials = fiducials_for_height(height)
    qr_box = qr_box_for_height(height)
    back: list[Primitive] = [Rect(f, fill="#000000") for f in fiducials]
    back.extend(header)

    targets: list[Target] = []
    marks: list[TimingMark] = []
    for i, option in enumerate(contest.options):
        top = rows_top + i * row_h
        cy = top + row_h / 2
        back.append(Line(x0, top, BALLOT_WIDTH_MM - x0, top, 0.2, "#808080"))
        box = Box(TARGET_X, cy - TARGET / 2, TARGET, TARGET)
        targets.append(Target(contest.id, option.id, i, box))
        back.append(Rect(box, fill=None, stroke="#000000", stroke_mm=TARGET_STROKE))
        for edge, mx in (
            ("left", EDGE + (FIDUCIAL - TIMING_W) / 2),
            ("right", BALLOT_WIDTH_MM - EDGE - FIDUCIAL + (FIDUCIAL - TIMING_W) / 2),
        ):
            mbox = Box(mx, cy - TIMING_H / 2, TIMING_W, TIMING_H)
            marks.append(TimingMark(i, "left" if edge == "left" else "right", mbox))
            back.append(Rect(mbox, fill="#000000"))
        number = "" if option.against_all else f"{i + 1}."
        name_w = TEXT_RIGHT - TEXT_X
        if option.against_all:
            back.append(
                TextRun(TEXT_X, cy - 0.4, fit_size(option.name.kk, 10, name_w, True), option.name.kk, True)
            )
            back.append(TextRun(TEXT_X, cy + 3.6, fit_size(option.name.ru, 9, name_w), option.name.ru))
            continue
        back.append(TextRun(TEXT_X - 1.0, cy + 1.0, 7.5, number, True, align="right"))
        if contest.kind == "party_list":
            kk_size = fit_size(option.name.kk, 9, name_w, True)
            ru_size = fit_size(option.name.ru, 8, name_w)
            back.append(TextRun(TEXT_X, cy - 0.6, kk_size, option.name.kk, True))
            back.append(TextRun(TEXT_X, cy + 3.2, ru_size, option.name.ru))
        else:
            party = option.party
            affiliation = (
                f"{party.kk} / {party.ru}" if party is not None else "Өзін-өзі ұсынған / Самовыдвижение"
            )
            back.append(
                TextRun(TEXT_X, cy - 1.1, fit_size(option.name.kk, 8.5, name_w, True), option.name.kk, True)
            )
            back.append(TextRun(TEXT_X, cy + 1.7, fit_size(option.name.ru, 7.5, name_w), option.name.ru))
            back.append(
                TextRun(
                    TEXT_X,
                    cy + 4.1,
                    fit_size(affiliation, 5.5, name_w, min_pt=4.0),
                    affiliation,
                    colour="#333333",
                )
            )
    rows_bottom = rows_top + n_rows * row_h
    back.append(Line(x0, rows_bottom, BALLOT_WIDTH_MM - x0, rows_bottom, 0.2, "#808080"))

    back_payload = qr_payload(election_hash, style_id, "back", test, code)
    back.append(QrCode(qr_box, back_payload))
    footer_x = qr_box.x + qr_box.w + 3.0
    back.append(
        TextRun(footer_x, qr_box.y + 5.0, 7, f"{style.id}" + (f"  ·  №{station}" if code else ""), True)
    )
    back.append(
        TextRun(footer_x, qr_box.y + 9.0, 6, f"{election.election.date.isoformat()}  ·  L{LAYOUT_VERSION}")
    )
    back.append(TextRun(footer_x, qr_box.y + 12.5, 5.5, f"{election_hash[:QR_HASH_CHARS]}", colour="#333333"))

    # Front (title) side: the same fiducials and QR place, so that the reader finds either side.
    front: list[Primitive] = [Rect(f, fill="#000000") for f in fiducials]
    front.append(Rect(band, fill=style.colour))
    fy = EDGE + FIDUCIAL + 12.0
    front.append(Rect(Box(BALLOT_WIDTH_MM / 2 - 12, fy, 24, 24), stroke=style.colour, stroke_mm=1.0))
    front.append(TextRun(BALLOT_WIDTH_MM / 2, fy + 14.5, 14, "ҚР", True, style.colour, "center"))
    fy += 34.0
    fy = _paragraph(front, "САЙЛАУ БЮЛЛЕТЕНІ", x0, fy, text_w, 16, True, align="center")
    fy = _paragraph(front, "ИЗБИРАТЕЛЬНЫЙ БЮЛЛЕТЕНЬ", x0, fy + 1, text_w, 14, True, align="center")
    fy += 4.0
    fy = _paragraph(front, election.election.title.kk, x0, fy, text_w, 9, True, align="center")
    fy = _paragraph(front, election.election.title.ru, x0, fy + 1, text_w, 9, False, align="center")
    fy += 3.0
    fy = _paragraph(front, style.title.kk, x0, fy, text_w, 8, False, align="center")
    fy = _paragraph(front, style.title.ru, x0, fy + 1, text_w, 8, False, align="center")
    fy = _paragraph(
        front, election.election.date.strftime("%d.%m.%Y"), x0, fy + 3, text_w, 9, True, align="center"
    )
    sig_right = BALLOT_WIDTH_MM - EDGE - FIDUCIAL - FIDUCIAL_CLEARANCE - 0.5
    sig = Box(sig_right - 62, height - EDGE - 26, 62, 22)
    front.append(Rect(sig, stroke="#000000", stroke_mm=0.3))
    front.append(TextRun(sig.x + 2, sig.y + 4, 5.5, "Учаскелік комиссия мүшесінің қолы"))
    front.append(TextRun(sig.x + 2, sig.y + 7, 5.5, "Подпись члена участковой комиссии"))
    front_payload = qr_payload(election_hash, style_id, "front", test, code)
    front.append(QrCode(qr_box, front_payload))
    front.append(
        TextRun(footer_x, qr_box.y + 5.0, 7, f"{style.id}" + (f"  ·  №{station}" if code else ""), True)
    )

    return BallotLayout(
        style=style_id,
        contest=contest.id,
        election_hash=election_hash,
        test=test,
        width_mm=BALLOT_WIDTH_MM,
        height_mm=height,
        row_height_mm=row_h,
        front=SideLayout("front", front_payload, qr_box, fiducials, tuple(front)),
        back=SideLayout("back", back_payload, qr_box, fiducials, tuple(back)),
        targets=tuple(targets),
        timing_marks=tuple(marks),
    )
