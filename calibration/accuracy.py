"""Reader accuracy against generated decks with exact ground truth.

A *wrong decision* is what must never happen: a mark read as empty, an empty square read
as marked, an ambiguous-on-purpose mark decided without the commission, or a contest
outcome that differs from the truth without going to review. Reviews and refusals are
not wrong decisions; their rates are reported separately.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from kiosk.ballots.deck import DeckOptions, generate_sheet
from kiosk.ballots.layout import build_layout
from kiosk.election.load import load_election
from kiosk.reading.reader import BallotReader

CLASSES = ("marked", "marginal", "empty")


@dataclass
class Tally:
    sheets: int = 0
    squares: int = 0
    confusion: dict[str, Counter[str]] = field(default_factory=lambda: {c: Counter() for c in CLASSES})
    wrong_marks: int = 0
    silent_ambiguous: int = 0
    wrong_outcomes: int = 0
    missed_streaks: int = 0
    false_streaks: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    ordinary_sheets: int = 0
    ordinary_reviews: int = 0
    scores: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[dict[str, object]] = field(default_factory=list)

    def merge(self, other: Tally) -> None:
        self.sheets += other.sheets
        self.squares += other.squares
        for c in CLASSES:
            self.confusion[c].update(other.confusion[c])
        self.wrong_marks += other.wrong_marks
        self.silent_ambiguous += other.silent_ambiguous
        self.wrong_outcomes += other.wrong_outcomes
        self.missed_streaks += other.missed_streaks
        self.false_streaks += other.false_streaks
        self.refused.update(other.refused)
        self.ordinary_sheets += other.ordinary_sheets
        self.ordinary_reviews += other.ordinary_reviews
        for k, v in other.scores.items():
            self.scores[k].extend(v)
        self.failures.extend(other.failures)

    @property
    def wrong_decisions(self) -> int:
        return self.wrong_marks + self.silent_ambiguous + self.wrong_outcomes + self.missed_streaks

    def report(self) -> dict[str, object]:
        def pct(kind: str) -> dict[str, float]:
            a = np.array(self.scores[kind]) if self.scores[kind] else np.zeros(1)
            return {f"p{q}": round(float(np.percentile(a, q)), 4) for q in (0, 1, 50, 99, 100)} | {
                "n": len(self.scores[kind])
            }

        return {
            "sheets": self.sheets,
            "squares": self.squares,
            "confusion": {truth: dict(self.confusion[truth]) for truth in CLASSES},
            "wrong_decisions": self.wrong_decisions,
            "wrong_marks": self.wrong_marks,
            "ambiguous_decided_silently": self.silent_ambiguous,
            "wrong_outcomes": self.wrong_outcomes,
            "missed_streaks": self.missed_streaks,
            "false_streaks": self.false_streaks,
            "refused": dict(self.refused),
            "ordinary_sheets": self.ordinary_sheets,
            "ordinary_review_rate": round(self.ordinary_reviews / max(1, self.ordinary_sheets), 5),
            "score_by_mark_kind": {k: pct(k) for k in sorted(self.scores)},
            "failures": self.failures[:20],
        }


def _chunks(total: int, parts: int) -> Iterator[tuple[int, int]]:
    step = (total + parts - 1) // parts
    for start in range(0, total, step):
        yield start, min(total, start + step)


def evaluate_range(
    style: str, seed: int, start: int, stop: int, opt: DeckOptions = DeckOptions(), keep_scores: bool = True
) -> Tally:
    pkg = load_election(None)
    reader = BallotReader(pkg.election, pkg.election_hash, keep_crops="never")
    layout = build_layout(pkg.election, pkg.election_hash, style)
    tally = Tally()
    for index in range(start, stop):
        sheet = generate_sheet(
            pkg.election, pkg.election_hash, style, seed, index, opt, layout=layout, with_front=False
        )
        truth = sheet.truth
        reading = reader.read_bytes(sheet.back_bytes)
        tally.sheets += 1
        where = {"style": style, "seed": seed, "index": index}
        if truth.reason == "needs_cleaning":
            if reading.status != "rejected":
                # Counted through a streak: the marks under it cannot be trusted.
                tally.missed_streaks += 1
                tally.failures.append({**where, "failure": "missed_streak", "read": reading.status})
            elif reading.reason != "needs_cleaning":
                tally.refused[f"streak sheet as {reading.reason}"] += 1
            continue
        if reading.status == "rejected":
            tally.refused[reading.reason or "?"] += 1
            if reading.reason == "needs_cleaning":
                tally.false_streaks += 1
            if len(tally.failures) < 50:
                tally.failures.append(
                    {**where, "failure": "refused", "reason": reading.reason, "detail": reading.detail}
                )
            continue
        ordinary = all(q.kind != "hesitation_dot" for q in truth.squares)
        if ordinary:
            tally.ordinary_sheets += 1
            tally.ordinary_reviews += reading.status == "review"
        marks = reading.contests[0].marks
        for q, m in zip(truth.squares, marks, strict=True):
            tally.squares += 1
            tally.confusion[q.expected][m.mark] += 1
            if keep_scores:
                tally.scores[q.kind].append(m.score)
            bad = (q.expected == "marked" and m.mark == "empty") or (
                q.expected == "empty" and m.mark == "marked"
            )
            if bad:
                tally.wrong_marks += 1
            if q.expected == "marginal" and m.mark != "marginal":
                tally.silent_ambiguous += 1
                bad = True
            if bad:
                tally.failures.append(
                    {
                        **where,
                        "failure": "mark",
                        "option": q.option,
                        "kind": q.kind,
                        "expected": q.expected,
                        "read": m.mark,
                        "score": round(m.score, 4),
                    }
                )
        want = truth.contests[0]
        got = reading.contests[0]
        if got.outcome != "review" and (got.outcome, got.choice) != (want.outcome, want.choice):
            tally.wrong_outcomes += 1
            tally.failures.append(
                {
                    **where,
                    "failure": "outcome",
                    "expected": [want.outcome, want.choice],
                    "read": [got.outcome, got.choice],
                }
            )
    return tally


def evaluate(
    sheets_per_style: int,
    seed: int = 1,
    workers: int | None = None,
    styles: tuple[str, ...] | None = None,
    opt: DeckOptions = DeckOptions(),
) -> Tally:
    pkg = load_election(None)
    styles = styles or tuple(s.id for s in pkg.election.styles)
    workers = workers or min(2, os.cpu_count() or 1)
    jobs = [
        (style, seed, a, b) for style in styles for a, b in _chunks(sheets_per_style, max(1, workers * 4))
    ]
    total = Tally()
    if workers == 1:
        for job in jobs:
            total.merge(evaluate_range(*job, opt=opt))
        return total
    with ProcessPoolExecutor(workers) as pool:
        futures = [pool.submit(evaluate_range, *job, opt=opt) for job in jobs]
        for f in futures:
            total.merge(f.result())
    return total
