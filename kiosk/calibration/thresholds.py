"""Mark thresholds chosen from the station's own scans of a calibration deck (issue 16).

A calibration deck (made by the test equipment, `fieldkit/markdeck.py`: empty squares,
light pencil, faint ticks, hesitation dots, erasures, clear marks, field conditions) comes
with its truth: what each square is meant to be. Scanned on the station's scanner and read
with `BallotReader`, it gives the reader's score of every square, by class:

- empty: nothing, or an erasure (the voter took the mark back);
- doubtful: a hesitation dot (the voter must be asked: the commission decides);
- clear: a voting mark (tick, cross, fill, circle, scribble, light pencil, edge tick).

The thresholds are placed from the two outer classes, with a stated margin:

    marginal = highest empty score + margin * gap     (anything at or above: not empty)
    marked   = lowest clear score  - margin * gap     (anything at or above: a vote)

where gap = lowest clear - highest empty. Between them a square goes to the commission.
When the empty and clear distributions overlap (gap <= 0) no threshold separates them:
refused (`thresholds_overlap`) with how much they overlap. Doubtful squares are reported
(how many would go to review, how many would count as a vote or as empty) but do not move
the thresholds: a dot is not a mark, and what the reader makes of it is shown, not tuned.

The chosen pair is recorded as a signed journal link (`mark_thresholds_chosen`, with the
values, the figures and the sha256 of the histogram and the report); the station's reader
uses the latest one (`recorded_thresholds`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from kiosk.errors import SanaqError
from kiosk.reading.model import Thresholds
from kiosk.station.journal import Journal

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
    highest_empty: float
    lowest_clear: float
    counts: dict[str, int]
    doubtful: dict[str, int]  # what the chosen thresholds make of the doubtful squares

    def to_json(self) -> dict[str, Any]:
        return {
            "marginal": round(self.thresholds.marginal, 5),
            "marked": round(self.thresholds.marked, 5),
            "margin": self.margin,
            "gap": round(self.gap, 5),
            "highest_empty": round(self.highest_empty, 5),
            "lowest_clear": round(self.lowest_clear, 5),
            "counts": self.counts,
            "doubtful_as": self.doubtful,
        }


def overlap_figures(empty: list[float], clear: list[float]) -> dict[str, Any]:
    """How much the empty and clear distributions overlap: the squares of each class that lie
    on the wrong side of the other class's extreme."""
    hi_empty, lo_clear = max(empty), min(clear)
    empty_over = sum(1 for s in empty if s >= lo_clear)
    clear_under = sum(1 for s in clear if s <= hi_empty)
    return {
        "highest_empty": round(hi_empty, 5),
        "lowest_clear": round(lo_clear, 5),
        "overlap": round(hi_empty - lo_clear, 5),
        "empty_above_lowest_clear": empty_over,
        "empty_total": len(empty),
        "clear_below_highest_empty": clear_under,
        "clear_total": len(clear),
    }


def overlap_text(f: dict[str, Any]) -> dict[str, str]:
    """The refusal's figures, said in Kazakh, Russian and English."""
    e, et, c, ct = (
        f["empty_above_lowest_clear"],
        f["empty_total"],
        f["clear_below_highest_empty"],
        f["clear_total"],
    )
    pe, pc = 100 * e / et, 100 * c / ct
    lo, hi = f["lowest_clear"], f["highest_empty"]
    return {
        "kk": f"{et} бос шаршының {e}-і ({pe:.1f} %) ең әлсіз анық белгіден ({lo:.3f}) жоғары; "
        f"{ct} анық белгінің {c}-і ({pc:.1f} %) ең қара бос шаршыдан ({hi:.3f}) төмен.",
        "ru": f"{e} из {et} пустых квадратов ({pe:.1f} %) выше самой слабой чёткой отметки ({lo:.3f}); "
        f"{c} из {ct} чётких отметок ({pc:.1f} %) ниже самого тёмного пустого квадрата ({hi:.3f}).",
        "en": f"{e} of {et} empty squares ({pe:.1f} %) score above the weakest clear mark ({lo:.3f}); "
        f"{c} of {ct} clear marks ({pc:.1f} %) score below the darkest empty square ({hi:.3f}).",
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
    hi_empty, lo_clear = max(empty), min(clear)
    gap = lo_clear - hi_empty
    if gap <= 0:
        f = overlap_figures(empty, clear)
        raise SanaqError("thresholds_overlap", overlap_text(f)["en"])
    t = Thresholds(marginal=hi_empty + margin * gap, marked=lo_clear - margin * gap)
    as_ = {"review": 0, "vote": 0, "empty": 0}
    for s in doubtful:
        as_["vote" if s >= t.marked else "review" if s >= t.marginal else "empty"] += 1
    return Choice(t, margin, gap, hi_empty, lo_clear, {k: len(scores.get(k, [])) for k in CLASSES}, as_)


# --- the journal ------------------------------------------------------------------------------------


def record_thresholds(
    journal: Journal, role: str, member: str, choice: Choice, png_sha256: str, report_sha256: str
) -> str:
    from kiosk.calibration.lat import record_signed

    detail = {
        **choice.to_json(),
        "member": member,
        "histogram_sha256": png_sha256,
        "report_sha256": report_sha256,
    }
    return record_signed(journal, KIND, role, detail)


def recorded_thresholds(journal: Journal) -> Thresholds:
    """The latest thresholds recorded in this journal's chain, else the reader's defaults."""
    row = journal.db.execute(
        "SELECT detail FROM audit WHERE kind=? ORDER BY seq DESC LIMIT 1", (KIND,)
    ).fetchone()
    if row is None:
        return Thresholds()
    detail = json.loads(row[0])
    return Thresholds(marginal=float(detail["marginal"]), marked=float(detail["marked"]))


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
