"""What the reader says about a sheet: plain frozen dataclasses, JSON-ready."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from kiosk.vocabulary import Mark, Outcome, Side

# The reader's own word: how a side came out (a refusal carries its ErrorCode as reason).
Status = Literal["ok", "review", "rejected"]
# Why a marginal square needs the commission (each an ErrorCode with kk/ru/en messages).
# The last two come from the scanner's calibration profile (issue 16, kiosk.calibration.apply).
ReviewReason = Literal[
    "marginal_mark",
    "possible_stain",
    "crossing_line",
    "calibration_streak",
    "calibration_scale_drift",
    "possible_erasure",  # erase9: a mark rubbed out (issue 10, ninth pass)
]


@dataclass(frozen=True)
class Thresholds:
    """Mark score thresholds (ink added in a square, as a share of the square's inside).

    Defaults come from the deck generator's mark kinds (benchmarks/accuracy.py shows the
    score histogram); the calibration step replaces them per scanner.
    """

    marginal: float = 0.018
    marked: float = 0.063

    def classify(self, score: float) -> Mark:
        if score >= self.marked:
            return "marked"
        if score >= self.marginal:
            return "marginal"
        return "empty"


@dataclass(frozen=True)
class MarkReading:
    option: str
    score: float
    mark: Mark
    # Why a marginal square needs the commission (kiosk/reading/inspect.py); None otherwise.
    reason: ReviewReason | None = None


@dataclass(frozen=True)
class ContestReading:
    contest: str
    outcome: Outcome
    choice: str | None
    marks: tuple[MarkReading, ...]


@dataclass(frozen=True)
class Crop:
    """A small grey image of a square or a row, for the commission's review screen."""

    option: str
    kind: Literal["square", "row"]
    image: np.ndarray = field(compare=False, repr=False)


@dataclass(frozen=True)
class SideReading:
    status: Status
    reason: str | None
    side: Side | None = None
    style: str | None = None
    test: bool | None = None
    contests: tuple[ContestReading, ...] = ()
    orientation: int | None = None  # degrees the image is turned from upright: 0, 90, 180, 270
    dpi: float | None = None
    detail: str = ""
    # For status "review": the reasons of its marginal squares, sorted, for the commission.
    review_reasons: tuple[ReviewReason, ...] = ()
    crops: tuple[Crop, ...] = field(default=(), compare=False, repr=False)

    def to_json(self, file: str | None = None) -> dict[str, object]:
        """The `sanaq read` JSON line contract."""
        return {
            "file": file,
            "status": self.status,
            "reason": self.reason,
            "style": self.style,
            "side": self.side,
            "orientation": self.orientation,
            "dpi": None if self.dpi is None else round(self.dpi, 1),
            "review_reasons": list(self.review_reasons),
            "contests": [
                {
                    "contest": c.contest,
                    "outcome": c.outcome,
                    "choice": c.choice,
                    "marks": [
                        {"option": m.option, "score": round(m.score, 4), "mark": m.mark, "reason": m.reason}
                        for m in c.marks
                    ],
                }
                for c in self.contests
            ],
        }


def marked_to_review(
    marks: list[MarkReading],
    doubt: Callable[[int, MarkReading], bool],
    reason: ReviewReason = "possible_stain",
) -> list[MarkReading]:
    """Each square read `marked` where `doubt(i, mark)` becomes `marginal` (`reason`,
    `possible_stain` unless told): the commission looks. The loop of the checks after the
    reader's square loop that send a `marked` square back (fix8's hair, wrong10's and ridge52's
    prints, dark49's stain body, run62's line running on)."""
    return [
        replace(m, mark="marginal", reason=reason) if m.mark == "marked" and doubt(i, m) else m
        for i, m in enumerate(marks)
    ]


def rejected(reason: str, detail: str = "", **known: Any) -> SideReading:
    return SideReading(status="rejected", reason=reason, detail=detail, **known)


def contest_outcome(marks: tuple[MarkReading, ...]) -> tuple[Outcome, str | None]:
    """One vote allowed: exactly one mark is a vote; a marginal mark that could change
    the outcome sends the contest to the commission instead of being guessed."""
    marked = [m.option for m in marks if m.mark == "marked"]
    marginal = any(m.mark == "marginal" for m in marks)
    if len(marked) >= 2:
        return "overvote", None  # nothing marginal can undo two clear marks
    if marginal:
        return "review", None
    if len(marked) == 1:
        return "vote", marked[0]
    return "blank", None
