"""Reader accuracy against generated decks with exact ground truth.

A *wrong decision* is what must never happen: a mark read as empty, an empty square read
as marked, an ambiguous-on-purpose mark decided without the commission, or a contest
outcome that differs from the truth without going to review. Reviews and refusals are
not wrong decisions; their rates are reported separately.
"""

from __future__ import annotations

import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from fieldkit.conditions import ALL_CONDITIONS, FieldOptions, FieldSheet, generate_field_sheet
from fieldkit.deck import DeckOptions, generate_sheet
from kiosk.ballots.layout import BallotLayout, build_layout
from kiosk.election.load import load_election
from kiosk.reading.model import SideReading
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


# --- the field-conditions corpus (fieldkit.conditions) ----------------------------------------

# Score histogram bins: 0.002 wide from -0.1 to 0.5, with an underflow and an overflow bin.
HIST_LO, HIST_HI, HIST_BINS = -0.1, 0.5, 300
SQUARE_LOCAL = frozenset({"stain", "fold", "crease", "show_through", "faint_streak"})


def _hist() -> np.ndarray:
    return np.zeros(HIST_BINS + 2, np.int64)


def _bin(score: float) -> int:
    if score < HIST_LO:
        return 0
    if score >= HIST_HI:
        return HIST_BINS + 1
    return 1 + int((score - HIST_LO) / (HIST_HI - HIST_LO) * HIST_BINS)


@dataclass
class ConditionTally:
    """One row of the per-condition table: sheets that have the condition (with whatever
    else they have), and the scores of squares it touches."""

    sheets: int = 0
    squares: int = 0
    wrong_sheets: int = 0
    wrong_squares: int = 0
    wrong_outcomes: int = 0
    reviews: int = 0
    expected_reviews: int = 0  # sheets whose truth is review (a hesitation dot)
    refused: int = 0
    hist_empty: np.ndarray = field(default_factory=_hist)
    hist_marked: np.ndarray = field(default_factory=_hist)
    max_empty: float = -1.0
    min_marked: float = 9.0

    def merge(self, o: ConditionTally) -> None:
        for name in ("sheets", "squares", "wrong_sheets", "wrong_squares", "wrong_outcomes", "reviews"):
            setattr(self, name, getattr(self, name) + getattr(o, name))
        self.expected_reviews += o.expected_reviews
        self.refused += o.refused
        self.hist_empty += o.hist_empty
        self.hist_marked += o.hist_marked
        self.max_empty = max(self.max_empty, o.max_empty)
        self.min_marked = min(self.min_marked, o.min_marked)

    _COUNTS = (
        "sheets",
        "squares",
        "wrong_sheets",
        "wrong_squares",
        "wrong_outcomes",
        "reviews",
        "expected_reviews",
        "refused",
    )

    def raw(self) -> dict[str, object]:
        """Every count and both histograms, exactly (for merging runs: `from_raw`)."""
        out: dict[str, object] = {k: int(getattr(self, k)) for k in self._COUNTS}
        out["max_empty"], out["min_marked"] = float(self.max_empty), float(self.min_marked)
        out["hist_empty"] = [int(v) for v in self.hist_empty]
        out["hist_marked"] = [int(v) for v in self.hist_marked]
        return out

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> ConditionTally:
        t = cls()
        for k in cls._COUNTS:
            setattr(t, k, int(raw[k]))
        t.max_empty, t.min_marked = float(raw["max_empty"]), float(raw["min_marked"])
        t.hist_empty = np.array(raw["hist_empty"], np.int64)
        t.hist_marked = np.array(raw["hist_marked"], np.int64)
        if t.hist_empty.shape != (HIST_BINS + 2,) or t.hist_marked.shape != (HIST_BINS + 2,):
            raise ValueError("histogram of another binning")
        return t

    def row(self) -> dict[str, object]:
        unexpected = self.reviews - self.expected_reviews
        return {
            "sheets": self.sheets,
            "squares": self.squares,
            "wrong_decisions": self.wrong_squares + self.wrong_outcomes,
            "sheets_with_wrong_decision": self.wrong_sheets,
            "review_rate": round(self.reviews / max(1, self.sheets), 5),
            "review_rate_beyond_truth": round(unexpected / max(1, self.sheets), 5),
            "refusal_rate": round(self.refused / max(1, self.sheets), 5),
            "empty_score_max": round(self.max_empty, 4),
            "marked_score_min": round(self.min_marked, 4),
        }


@dataclass
class FieldTally:
    rows: dict[str, ConditionTally] = field(default_factory=lambda: defaultdict(ConditionTally))
    by_dpi: dict[str, ConditionTally] = field(default_factory=lambda: defaultdict(ConditionTally))
    reasons: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    failures: list[dict[str, object]] = field(default_factory=list)
    seconds_reading: float = 0.0
    seconds_generating: float = 0.0
    done: list[tuple[int, int]] = field(default_factory=list)  # sheet ranges [a, b) tallied

    def merge(self, o: FieldTally) -> None:
        for k, v in o.rows.items():
            self.rows[k].merge(v)
        for k, v in o.by_dpi.items():
            self.by_dpi[k].merge(v)
        self.reasons.update(o.reasons)
        self.refused.update(o.refused)
        self.failures.extend(o.failures[: max(0, 200 - len(self.failures))])
        self.seconds_reading += o.seconds_reading
        self.seconds_generating += o.seconds_generating
        self.done.extend(o.done)

    def done_ranges(self) -> list[list[int]]:
        """The sheet ranges tallied, joined where they touch; ValueError if two overlap
        (a sheet counted twice)."""
        out: list[list[int]] = []
        for a, b in sorted(self.done):
            if out and a < out[-1][1]:
                raise ValueError(f"sheets {a}-{min(b, out[-1][1]) - 1} are counted twice")
            if out and a == out[-1][1]:
                out[-1][1] = b
            else:
                out.append([a, b])
        return out

    def raw(self) -> dict[str, object]:
        """The whole tally, exactly, as JSON-able data (`from_raw` reads it back)."""
        return {
            "rows": {k: v.raw() for k, v in self.rows.items()},
            "by_dpi": {k: v.raw() for k, v in self.by_dpi.items()},
            "reasons": dict(self.reasons),
            "refused": dict(self.refused),
            "failures": self.failures,
            "seconds_reading": self.seconds_reading,
            "seconds_generating": self.seconds_generating,
            "done": [list(r) for r in self.done],
        }

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> FieldTally:
        t = cls()
        for k, v in raw["rows"].items():
            t.rows[k] = ConditionTally.from_raw(v)
        for k, v in raw["by_dpi"].items():
            t.by_dpi[k] = ConditionTally.from_raw(v)
        t.reasons.update(raw["reasons"])
        t.refused.update(raw["refused"])
        t.failures = list(raw["failures"])
        t.seconds_reading = float(raw["seconds_reading"])
        t.seconds_generating = float(raw["seconds_generating"])
        t.done = [(int(a), int(b)) for a, b in raw["done"]]
        return t

    def report(self) -> dict[str, object]:
        order = ["all", "none", *[c for c in ALL_CONDITIONS if c in self.rows]]
        return {
            "conditions": {k: self.rows[k].row() for k in order if k in self.rows},
            "by_dpi": {k: self.by_dpi[k].row() for k in sorted(self.by_dpi)},
            "review_reasons": dict(self.reasons.most_common()),
            "refused": dict(self.refused.most_common()),
            "failures": self.failures[:60],
        }


def evaluate_field_range(seed: int, start: int, stop: int, fopt: FieldOptions = FieldOptions()) -> FieldTally:
    """Sheets (seed, start..stop) of the field corpus, styles in turn, read and tallied."""

    pkg, reader, layouts = _field_setup()
    styles = list(layouts)
    tally = FieldTally(done=[(start, stop)])
    for index in range(start, stop):
        style = styles[index % len(styles)]
        t0 = time.perf_counter()
        sheet = generate_field_sheet(pkg.election, pkg.election_hash, layouts[style], seed, index, fopt)
        t1 = time.perf_counter()
        reading = reader.read_bytes(sheet.image)
        tally.seconds_reading += time.perf_counter() - t1
        tally.seconds_generating += t1 - t0
        _tally_field_sheet(tally, sheet, reading, {"seed": seed, "index": index, "style": style})
    return tally


@lru_cache(maxsize=1)
def _field_setup() -> tuple[Any, BallotReader, dict[str, BallotLayout]]:
    """The package, a reader and the styles' layouts, made once per process and kept for
    its every chunk (the same layout objects, so the generator's renders are found by
    identity)."""
    pkg = load_election(None)
    reader = BallotReader(pkg.election, pkg.election_hash, keep_crops="never")
    styles = [s.id for s in pkg.election.styles]
    return pkg, reader, {s: build_layout(pkg.election, pkg.election_hash, s) for s in styles}


def _tally_field_sheet(
    tally: FieldTally, sheet: FieldSheet, reading: SideReading, where: dict[str, object]
) -> None:
    truth = sheet.truth
    sheet_rows = ["all", *(sheet.conditions or ("none",))]
    dpi_row = tally.by_dpi[str(truth.dpi)]
    rows = [tally.rows[k] for k in sheet_rows] + [dpi_row]
    for r in rows:
        r.sheets += 1
        r.expected_reviews += truth.status == "review"
    if reading.status == "rejected":
        tally.refused[reading.reason or "?"] += 1
        for r in rows:
            r.refused += 1
        if len(tally.failures) < 200:
            tally.failures.append(
                {
                    **where,
                    "failure": "refused",
                    "reason": reading.reason,
                    "detail": reading.detail,
                    "conditions": list(sheet.conditions),
                    "effects": sheet.effects,
                }
            )
        return
    if reading.status == "review":
        for r in rows:
            r.reviews += 1
        for reason in getattr(reading, "review_reasons", ()) or ("unspecified",):
            tally.reasons[reason] += 1
    wrong = 0
    marks = reading.contests[0].marks
    for i, (q, m) in enumerate(zip(truth.squares, marks, strict=True)):
        local = sheet.square_conditions[i]
        square_rows = ["all"] + (
            [c for c in sheet.conditions if c not in SQUARE_LOCAL or c in local]
            if sheet.conditions
            else ["none"]
        )
        bad = (q.expected == "marked" and m.mark == "empty") or (q.expected == "empty" and m.mark == "marked")
        bad = bad or (q.expected == "marginal" and m.mark != "marginal")
        for k in sheet_rows:
            tally.rows[k].squares += 1
        dpi_row.squares += 1
        for k in square_rows:
            r = tally.rows[k]
            if q.expected == "empty":
                r.hist_empty[_bin(m.score)] += 1
                r.max_empty = max(r.max_empty, m.score)
            elif q.expected == "marked":
                r.hist_marked[_bin(m.score)] += 1
                r.min_marked = min(r.min_marked, m.score)
        if bad:
            wrong += 1
            if len(tally.failures) < 200:
                tally.failures.append(
                    {
                        **where,
                        "failure": "mark",
                        "option": q.option,
                        "kind": q.kind,
                        "expected": q.expected,
                        "read": m.mark,
                        "score": round(m.score, 4),
                        "conditions": list(sheet.conditions),
                        "square_conditions": local,
                    }
                )
    want, got = truth.contests[0], reading.contests[0]
    wrong_outcome = got.outcome != "review" and (got.outcome, got.choice) != (want.outcome, want.choice)
    for r in rows:
        r.wrong_squares += wrong
        r.wrong_outcomes += wrong_outcome
        r.wrong_sheets += bool(wrong or wrong_outcome)
    if wrong_outcome and len(tally.failures) < 200:
        tally.failures.append(
            {
                **where,
                "failure": "outcome",
                "expected": [want.outcome, want.choice],
                "read": [got.outcome, got.choice],
                "conditions": list(sheet.conditions),
            }
        )


def field_chunk(sheets: int, workers: int) -> int:
    """Sheets per job: 200 on a long run; on a short one small enough that every worker
    has several jobs (so none waits idle at the end), at least 10."""
    return max(10, min(200, -(-sheets // (6 * max(1, workers)))))


def evaluate_field(
    sheets: int,
    seed: int,
    workers: int | None = None,
    fopt: FieldOptions = FieldOptions(),
    chunk: int | None = None,
    stop_at: float | None = None,
    progress: Callable[[FieldTally], None] | None = None,
    first: int = 0,
) -> FieldTally:
    """Sheets first..first+sheets-1 of the field corpus for `seed`, in chunks over
    `workers` processes (a sheet depends on (seed, index) alone, so the chunking does not
    change what is counted). `stop_at` (time.time()): no chunk starts after it, so a long
    run ends with whole chunks, and the chunks done are a prefix of the range
    (`FieldTally.done`); `progress` sees the running total after each chunk."""
    workers = workers or min(2, os.cpu_count() or 1)
    chunk = chunk or field_chunk(sheets, workers)
    end = first + sheets
    jobs = [(seed, a, min(end, a + chunk)) for a in range(first, end, chunk)]
    total = FieldTally()

    def more() -> bool:
        return stop_at is None or time.time() < stop_at

    if workers == 1:
        for job in jobs:
            if not more():
                break
            total.merge(evaluate_field_range(*job, fopt=fopt))
            if progress:
                progress(total)
        return total
    with ProcessPoolExecutor(workers) as pool:
        pending: set[Future[FieldTally]] = set()
        queue = list(jobs)
        while queue or pending:
            while queue and len(pending) < 2 * workers and more():
                pending.add(pool.submit(_field_job, (queue.pop(0), fopt)))
            if not pending:
                break
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                total.merge(f.result())
                if progress:
                    progress(total)
            if not more():
                queue.clear()
    return total


def _field_job(args: tuple[tuple[int, int, int], FieldOptions]) -> FieldTally:
    (seed, a, b), fopt = args
    return evaluate_field_range(seed, a, b, fopt)
