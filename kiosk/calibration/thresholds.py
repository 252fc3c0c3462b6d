"""Mark thresholds chosen from the station's own scans of a calibration deck (issue 16).

A calibration deck (made by the test equipment, `fieldkit/markdeck.py`: empty squares,
light pencil, faint ticks, hesitation dots, erasures, clear marks, field conditions) comes
with its truth: what each square is meant to be. Scanned on the station's scanner and read
with `BallotReader`, it gives the reader's score of every square, by class:

- empty: nothing, or an erasure (the voter took the mark back);
- doubtful: a hesitation dot (the voter must be asked: the commission decides);
- clear: a voting mark (tick, cross, fill, circle, scribble, light pencil, edge tick).

Field conditions (a stain, a fold) darken a few empty squares beyond any light mark: the
reader's closer look (`kiosk/reading/inspect.py`) sends those to the commission whatever
their score. So each class is described by its body, without its outer 0.5 % (`TAIL`):

    E = the score 99.5 % of empty squares stay below,   C = the score 99.5 % of clear marks reach

Refused (`thresholds_overlap`, with how much) when E >= C: the bodies of the empty and clear
distributions overlap. Otherwise, with the stated `margin` (a share of a gap, 0.25 by default):

    marginal = E99 + margin * (C - E99)
    marked   = C - margin * (C - H)

where E99 is the score 99 % of empty squares stay below and H the strongest body score that
must not count as a vote (E, or the doubtful dots' 99.5 % point when that is below C). Below
`marginal` a square is empty; from `marked` up, a vote; in between the commission decides.

Then the deck is read again with the chosen thresholds and what the reader decides for
every square, by class, is reported (`verified`): empty squares read as votes, clear marks
read as empty, dots read as votes are the wrong decisions the choice would make on this
station's own scans; the tails (each outlier and what the reader made of it) are in it too.

The chosen pair is recorded as a signed journal link (`mark_thresholds_chosen`, with the
values, the figures and the sha256 of the histogram and the report); the station's reader
uses the latest one (`recorded_thresholds`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kiosk.errors import SanaqError
from kiosk.reading.model import Thresholds
from kiosk.station.journal import Journal
from kiosk.station.ports import ScannerPort

if TYPE_CHECKING:
    from kiosk.reading.reader import BallotReader

KIND = "mark_thresholds_chosen"
CLASSES = ("empty", "doubtful", "clear")
# How far into the gap each threshold sits from its class (a quarter of the gap each side).
DEFAULT_MARGIN = 0.25
MIN_PER_CLASS = 20  # fewer empty or clear squares than this say nothing about a tail

CLASS_OF = {
    "none": "empty",
    "erased": "empty",
    "hesitation_dot": "doubtful",
}  # every other mark kind is a voting mark: clear


def class_of(kind: str) -> str:
    return CLASS_OF.get(kind, "clear")


@dataclass(frozen=True)
class Choice:
    thresholds: Thresholds
    margin: float
    gap: float
    empty_995: float
    clear_005: float
    counts: dict[str, int]
    fate: dict[str, dict[str, int]]  # per class, by score alone: how many empty, review, vote

    def to_json(self) -> dict[str, Any]:
        return {
            "marginal": round(self.thresholds.marginal, 5),
            "marked": round(self.thresholds.marked, 5),
            "margin": self.margin,
            "gap": round(self.gap, 5),
            "empty_995": round(self.empty_995, 5),
            "clear_005": round(self.clear_005, 5),
            "counts": self.counts,
            "by_score": self.fate,
        }


TAIL = 0.005


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered))))]


def overlap_figures(empty: list[float], clear: list[float]) -> dict[str, Any]:
    """How much the empty and clear distributions overlap: their body limits, and how many
    squares of each class lie beyond the other's."""
    hi_empty, lo_clear = _quantile(empty, 1 - TAIL), _quantile(clear, TAIL)
    return {
        "empty_995": round(hi_empty, 5),
        "clear_005": round(lo_clear, 5),
        "overlap": round(hi_empty - lo_clear, 5),
        "empty_above_clear_005": sum(1 for s in empty if s >= lo_clear),
        "empty_total": len(empty),
        "clear_below_empty_995": sum(1 for s in clear if s <= hi_empty),
        "clear_total": len(clear),
    }


def overlap_text(f: dict[str, Any]) -> dict[str, str]:
    """The refusal's figures, said in Kazakh, Russian and English."""
    e, et, c, ct = f["empty_above_clear_005"], f["empty_total"], f["clear_below_empty_995"], f["clear_total"]
    pe, pc = 100 * e / et, 100 * c / ct
    lo, hi, ov = f["clear_005"], f["empty_995"], f["overlap"]
    return {
        "kk": f"Қиылысу {ov:.3f}: {et} бос шаршының {e}-і ({pe:.1f} %) әлсіз анық белгілер деңгейінен ({lo:.3f}) "
        f"жоғары; {ct} анық белгінің {c}-і ({pc:.1f} %) қара бос шаршылар деңгейінен ({hi:.3f}) төмен.",
        "ru": f"Перекрытие {ov:.3f}: {e} из {et} пустых квадратов ({pe:.1f} %) выше уровня слабых чётких "
        f"отметок ({lo:.3f}); {c} из {ct} чётких отметок ({pc:.1f} %) ниже уровня тёмных пустых ({hi:.3f}).",
        "en": f"Overlap {ov:.3f}: {e} of {et} empty squares ({pe:.1f} %) score above the weak end of the clear "
        f"marks ({lo:.3f}); {c} of {ct} clear marks ({pc:.1f} %) score below the dark end of the empty squares ({hi:.3f}).",
    }


def choose_thresholds(scores: dict[str, list[float]], margin: float = DEFAULT_MARGIN) -> Choice:
    """The thresholds from the per-class scores (`CLASSES`), or a refusal."""
    if not 0.0 < margin < 0.5:
        raise ValueError("margin: a share of the gap, between 0 and 0.5")
    empty, clear, doubtful = scores.get("empty", []), scores.get("clear", []), scores.get("doubtful", [])
    if len(empty) < MIN_PER_CLASS or len(clear) < MIN_PER_CLASS:
        raise SanaqError(
            "thresholds_too_few", f"{len(empty)} empty, {len(clear)} clear; {MIN_PER_CLASS} each needed"
        )
    hi_empty, lo_clear = _quantile(empty, 1 - TAIL), _quantile(clear, TAIL)
    if hi_empty >= lo_clear:
        raise SanaqError("thresholds_overlap", overlap_text(overlap_figures(empty, clear))["en"])
    e99 = _quantile(empty, 0.99)
    not_vote = hi_empty
    if doubtful and _quantile(doubtful, 1 - TAIL) < lo_clear:
        not_vote = max(not_vote, _quantile(doubtful, 1 - TAIL))
    t = Thresholds(marginal=e99 + margin * (lo_clear - e99), marked=lo_clear - margin * (lo_clear - not_vote))
    return Choice(
        t,
        margin,
        lo_clear - not_vote,
        hi_empty,
        lo_clear,
        {k: len(scores.get(k, [])) for k in CLASSES},
        {c: _fate(scores.get(c, []), t) for c in CLASSES},
    )


def _fate(values: list[float], t: Thresholds) -> dict[str, int]:
    """What the thresholds make of a class's squares by score alone: empty, review, vote."""
    out = {"empty": 0, "review": 0, "vote": 0}
    for v in values:
        out["vote" if v >= t.marked else "review" if v >= t.marginal else "empty"] += 1
    return out


# --- reading the deck -------------------------------------------------------------------------------


@dataclass
class Measured:
    scores: dict[str, list[float]]
    sheets: int = 0
    refused: dict[str, int] = field(default_factory=dict)  # sheets the reader refused, by reason
    missing: int = 0  # sheets of the truth file the scanner never fed
    # (images, kinds) of every sheet read, for the second reading with the chosen thresholds
    sheets_read: list[tuple[list[Any], list[str]]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "sheets": self.sheets,
            "refused": self.refused,
            "missing": self.missing,
            "squares": {c: len(v) for c, v in self.scores.items()},
        }


def measure(scanner: ScannerPort, reader: BallotReader, truth: dict[str, Any]) -> Measured:
    """Feed the calibration deck, read every sheet, and give every square's score to its class.
    A sheet is matched to its truth by the scanner's handle (a hot folder's file name), else by
    feed order. Every sheet goes back out of the scanner (calibration paper is no ballot)."""
    if not isinstance(truth, dict) or truth.get("format") != "sanaq.mark-calibration/1":
        raise SanaqError("thresholds_deck_mismatch", "not a Sanaq mark-calibration truth file")
    if truth.get("election_hash") != reader.election_hash:
        raise SanaqError("thresholds_deck_mismatch", "the deck was made for another election package")
    order = list(truth["sheets"])
    by_name = {s["name"]: s for s in order}
    out = Measured({c: [] for c in CLASSES})
    for i, fed in enumerate(scanner.feed()):
        t = by_name.get(fed.handle) or (order[i] if i < len(order) else None)
        if t is None:
            raise SanaqError(
                "thresholds_deck_mismatch", f"sheet {i + 1}: more sheets than the truth file names"
            )
        reading = reader.read_sheet(list(fed.images))
        scanner.return_sheet(fed.handle, "calibration")
        out.sheets += 1
        if reading.status == "rejected":
            reason = reading.reason or "unreadable"
            out.refused[reason] = out.refused.get(reason, 0) + 1
            continue
        marks = reading.contests[0].marks if reading.contests else ()
        if reading.style != t["style"] or len(marks) != len(t["kinds"]):
            raise SanaqError(
                "thresholds_deck_mismatch",
                f"sheet {t['name']}: read as {reading.style}, the truth says {t['style']}",
            )
        for kind, m in zip(t["kinds"], marks, strict=True):
            out.scores[class_of(kind)].append(float(m.score))
        out.sheets_read.append((list(fed.images), list(t["kinds"])))
    out.missing = max(0, len(order) - out.sheets)
    return out


def verify(reader: BallotReader, measured: Measured) -> dict[str, Any]:
    """Read the deck again with `reader` (the chosen thresholds): per class, how many squares
    the reader decides empty, review (marginal) and vote (marked), and the wrong decisions."""
    table = {c: {"empty": 0, "marginal": 0, "marked": 0} for c in CLASSES}
    refused = 0
    for images, kinds in measured.sheets_read:
        reading = reader.read_sheet(images)
        if reading.status == "rejected" or not reading.contests:
            refused += 1
            continue
        for kind, m in zip(kinds, reading.contests[0].marks, strict=True):
            table[class_of(kind)][m.mark] += 1
    return {
        "decided": table,
        "refused_sheets": refused,
        "wrong": {
            "empty_as_vote": table["empty"]["marked"],
            "doubtful_as_vote": table["doubtful"]["marked"],
            "clear_as_empty": table["clear"]["empty"],
        },
    }


# --- the picture -----------------------------------------------------------------------------------

COLOURS = {"empty": (120, 120, 120), "doubtful": (230, 140, 0), "clear": (20, 90, 200)}
NAMES = {
    "empty": "empty squares, erasures / бос / пустые",
    "doubtful": "hesitation dots / күмәнді / сомнительные",
    "clear": "voting marks / анық / чёткие отметки",
}


# The words drawn in the histogram. The official picture (the one `sanaq marks calibrate` writes
# and the journal signs by its SHA-256) keeps these; a screen draws a display copy with its own
# language's words (`histogram_png(..., labels=...)`, the kiosk's catalogue), same bars and lines.
LABEL_KEYS = (
    "subtitle", "empty", "doubtful", "clear", "axis", "marginal", "marked",
    "zone_empty", "zone_commission", "zone_vote",
)  # fmt: skip
OFFICIAL_LABELS: dict[str, str] = {
    "subtitle": "Scores of the calibration deck by what each square is (bar height: count, "
    "square-root scale) / ұпайлар / оценки",
    **NAMES,
    "axis": "score: ink added in the square, share of its inside / балл / оценка",
    "marginal": "marginal",
    "marked": "marked",
    "zone_empty": "empty / бос / пусто",
    "zone_commission": "commission / комиссия",
    "zone_vote": "vote / дауыс / голос",
}


def histogram_png(
    scores: dict[str, list[float]],
    t: Thresholds,
    title: str,
    x_max: float = 0.2,
    labels: dict[str, str] | None = None,
) -> bytes:
    """One panel per class (counts on a square-root scale, so a small class still shows), the
    same score axis, the two thresholds drawn across all panels and named, and the zones
    (empty / commission / vote) labelled. Scores above `x_max` are gathered in the last bin.
    `labels`: the words (keys `LABEL_KEYS`) in one language for a display copy; None: the
    official picture's (`OFFICIAL_LABELS`)."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    from kiosk.ballots.layout import font_path

    w, h = 1400, 900
    left, right, top, bottom = 110, 40, 110, 110
    img = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(img)
    f_title = ImageFont.truetype(font_path(True), 26)
    f = ImageFont.truetype(font_path(False), 18)
    f_small = ImageFont.truetype(font_path(False), 15)
    import math

    x_min = math.floor(min(-0.02, min((v for vs in scores.values() for v in vs), default=0.0)) * 50) / 50
    bins = 110
    width = (x_max - x_min) / bins

    def px(x: float) -> float:
        return left + (min(x, x_max) - x_min) / (x_max - x_min) * (w - left - right)

    words = OFFICIAL_LABELS if labels is None else labels
    d.text((left, 20), title, font=f_title, fill=(0, 0, 0))
    d.text(
        (left, 60),
        words["subtitle"],
        font=f,
        fill=(60, 60, 60),
    )
    panel_h = (h - top - bottom) / 3
    for k, cls in enumerate(CLASSES):
        y0 = top + k * panel_h
        y1 = y0 + panel_h - 12
        counts = [0] * bins
        for v in scores.get(cls, []):
            counts[min(bins - 1, max(0, int((min(v, x_max - 1e-9) - x_min) / width)))] += 1
        peak = max(counts) or 1
        for b, c in enumerate(counts):
            if c:
                hh = (c / peak) ** 0.5 * (y1 - y0 - 34)
                d.rectangle(
                    (px(x_min + b * width), y1 - hh, px(x_min + (b + 1) * width) - 1, y1), fill=COLOURS[cls]
                )
        d.line((left, y1, w - right, y1), fill=(0, 0, 0), width=1)
        d.line((left, y0, left, y1), fill=(0, 0, 0), width=1)
        legend = f"{words[cls]}: {len(scores.get(cls, []))}"
        lx = w - right - 8 - d.textlength(legend, font=f)
        d.rectangle((lx - 26, y0 + 4, lx - 8, y0 + 20), fill=COLOURS[cls])
        d.text((lx, y0 + 2), legend, font=f, fill=(0, 0, 0))
        d.text((left - 12, y0 + 2), str(peak), font=f_small, fill=(80, 80, 80), anchor="ra")
        d.text((left - 12, y1), "0", font=f_small, fill=(80, 80, 80), anchor="rb")
    axis_y = top + 3 * panel_h - 12
    for i in range(round(x_min * 50), round(x_max * 50) + 1):
        x = i / 50
        d.line((px(x), axis_y, px(x), axis_y + 6), fill=(0, 0, 0))
        label = f"{x:.2f}" if x < x_max else f"≥{x:.2f}"
        d.text((px(x), axis_y + 8), label, font=f_small, fill=(0, 0, 0), anchor="ma")
    d.text(
        ((left + w - right) / 2, axis_y + 34),
        words["axis"],
        font=f,
        fill=(0, 0, 0),
        anchor="ma",
    )
    for value, name, colour in (
        (t.marginal, "marginal", (200, 0, 0)),
        (t.marked, "marked", (0, 140, 0)),
    ):
        x = px(value)
        for y in range(int(top - 10), int(axis_y), 12):
            d.line((x, y, x, y + 7), fill=colour, width=3)
        d.text(
            (x + (-6 if name == "marginal" else 6), top - 28),
            f"{words[name]} = {value:.4f}",
            font=f,
            fill=colour,
            anchor="ra" if name == "marginal" else "la",
        )
    zone_y = h - 40
    d.text(
        ((px(x_min) + px(t.marginal)) / 2, zone_y),
        words["zone_empty"],
        font=f_small,
        fill=(0, 0, 0),
        anchor="ma",
    )
    d.text(
        ((px(t.marginal) + px(t.marked)) / 2, zone_y),
        words["zone_commission"],
        font=f_small,
        fill=(0, 0, 0),
        anchor="ma",
    )
    d.text(
        ((px(t.marked) + px(x_max)) / 2, zone_y),
        words["zone_vote"],
        font=f_small,
        fill=(0, 0, 0),
        anchor="ma",
    )
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


# --- the journal ------------------------------------------------------------------------------------


def record_thresholds(
    journal: Journal,
    role: str,
    member: str,
    choice: Choice,
    png_sha256: str,
    report_sha256: str,
    wrong: dict[str, int] | None = None,
) -> str:
    from kiosk.calibration.lat import record_signed

    detail = {
        **choice.to_json(),
        "member": member,
        "histogram_sha256": png_sha256,
        "report_sha256": report_sha256,
        "wrong_decisions": wrong or {},
    }
    return record_signed(journal, KIND, role, detail)


def recorded_thresholds(journal: Journal) -> Thresholds:
    """The latest thresholds recorded in this journal's chain (its link checked: hash and
    device signature), else the reader's defaults."""
    from kiosk.calibration.lat import signed_details

    links = signed_details(journal, (KIND,))
    if not links:
        return Thresholds()
    detail = links[-1][2]
    return Thresholds(marginal=float(detail["marginal"]), marked=float(detail["marked"]))


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
