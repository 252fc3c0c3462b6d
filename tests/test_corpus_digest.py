"""The field corpus is pinned byte for byte, and runs of it in pieces add up exactly.

The digest below is the field corpus generator's output (`fieldkit.conditions`, on
`fieldkit.deck`) for 17 sheets: four of development seed 100 with every condition mixed,
and one of seed 101 for each condition alone and for none, over the four dpis
(`fieldkit.digest.corpus_cases`). It was the same before the generator was made faster
(branch corpusfast, checked against main on 448 sheets). A change that alters a single
byte of an image, a truth or an effect fails here: if that change is meant, the corpus
is a new corpus (the seed ranges already run no longer compare with new runs), and the
digest is re-pinned on purpose, with a note in docs/reading.md. A new numpy or OpenCV
(pinned in constraints.txt) can also move it; check the reader's figures before
re-pinning."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fieldkit.accuracy import FieldTally, evaluate_field_range
from fieldkit.digest import corpus_digest

ROOT = Path(__file__).resolve().parent.parent
PINNED = "a029b90da5bf00560bef412ebb8efc3281fa3355b754c0a30fc73a7bb4649c6c"


def test_field_corpus_bytes_are_pinned() -> None:
    digest, each = corpus_digest(mixed=4, per_condition=1)
    assert len(each) == 17 and len(set(each)) == 17
    assert digest == PINNED


def test_pieces_merge_to_the_whole_run() -> None:
    whole = evaluate_field_range(100, 0, 6)
    parts = FieldTally()
    for a, b in ((3, 6), (0, 3)):  # in any order, through the JSON form
        parts.merge(FieldTally.from_raw(json.loads(json.dumps(evaluate_field_range(100, a, b).raw()))))
    assert parts.done_ranges() == [[0, 6]]
    assert parts.report() == whole.report()
    assert parts.rows["all"].raw() == whole.rows["all"].raw()
    assert parts.rows["all"].sheets == 6 and parts.rows["all"].squares > 0


def test_a_sheet_counted_twice_is_refused() -> None:
    t = FieldTally(done=[(0, 200), (400, 600), (150, 300)])
    with pytest.raises(ValueError, match="150-199 are counted twice"):
        t.done_ranges()
    assert FieldTally(done=[(200, 400), (0, 200), (500, 600)]).done_ranges() == [[0, 400], [500, 600]]


def _run_doc(tmp: Path, name: str, seed: int, done: list[list[int]]) -> Path:
    raw = FieldTally(done=[(a, b) for a, b in done]).raw()
    doc = {
        "benchmark": "accuracy-field",
        "seed": seed,
        "part": "development",
        "only": None,
        "sheet_range_asked": [done[0][0], done[-1][1]],
        "seconds": 1.0,
        "raw": raw,
    }
    path = tmp / name
    path.write_text(json.dumps(doc))
    return path


def test_merge_refuses_other_seeds_and_overlaps(tmp_path: Path) -> None:
    def merge(*paths: Path) -> subprocess.CompletedProcess[str]:
        args = [sys.executable, "benchmarks/accuracy.py", "--merge", *map(str, paths)]
        return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=120)

    a = _run_doc(tmp_path, "a.json", 100, [[0, 100]])
    b = _run_doc(tmp_path, "b.json", 101, [[100, 200]])
    c = _run_doc(tmp_path, "c.json", 100, [[50, 150]])
    d = _run_doc(tmp_path, "d.json", 100, [[100, 250]])
    assert "different seeds" in merge(a, b).stderr
    assert "counted twice" in merge(a, c).stderr
    ok = merge(a, d)
    assert ok.returncode == 0, ok.stderr
    out = json.loads(ok.stdout)
    assert out["sheet_ranges_done"] == [[0, 250]] and out["complete"] and out["next_first_sheet"] == 250
