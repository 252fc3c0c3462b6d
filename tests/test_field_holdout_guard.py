"""The untouched part of the field corpus is not run by accident (benchmarks/accuracy.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fieldkit.conditions import DEV_SEEDS, HOLDOUT_SEEDS

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "benchmarks/accuracy.py", "--field", "--sheets", "0", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_third_pass_range_and_its_top_up_are_held_out() -> None:
    assert 9200 in HOLDOUT_SEEDS and 9299 in HOLDOUT_SEEDS and 9399 in HOLDOUT_SEEDS and 9499 in HOLDOUT_SEEDS
    assert 9500 in HOLDOUT_SEEDS and 9599 in HOLDOUT_SEEDS
    assert 9600 in HOLDOUT_SEEDS and 9699 in HOLDOUT_SEEDS  # the seventh pass's untouched range
    assert 9700 in HOLDOUT_SEEDS and 9799 in HOLDOUT_SEEDS  # the eighth pass's untouched range
    assert 9800 in HOLDOUT_SEEDS and 9899 in HOLDOUT_SEEDS  # the ninth pass's untouched range
    assert 9900 in HOLDOUT_SEEDS and 9999 in HOLDOUT_SEEDS  # the tenth pass's untouched range
    assert 10000 in HOLDOUT_SEEDS and 10099 in HOLDOUT_SEEDS  # the eleventh pass's untouched range
    assert 10100 in HOLDOUT_SEEDS and 10199 in HOLDOUT_SEEDS  # the twelfth pass's untouched range
    assert 10200 in HOLDOUT_SEEDS and 10299 in HOLDOUT_SEEDS  # the thirteenth pass's untouched range
    assert 10300 in HOLDOUT_SEEDS and 10399 in HOLDOUT_SEEDS  # the fourteenth pass's untouched range
    assert 10400 in HOLDOUT_SEEDS and 10499 in HOLDOUT_SEEDS  # the fifteenth pass's untouched range
    assert 10500 in HOLDOUT_SEEDS and 10599 in HOLDOUT_SEEDS  # the sixteenth pass's untouched range
    assert 10600 in HOLDOUT_SEEDS and 10699 in HOLDOUT_SEEDS  # the seventeenth pass's untouched range
    assert 10700 in HOLDOUT_SEEDS and 10799 in HOLDOUT_SEEDS  # the eighteenth pass's untouched range
    assert 10800 in HOLDOUT_SEEDS and 10899 in HOLDOUT_SEEDS  # the nineteenth pass's untouched range
    assert 10900 in HOLDOUT_SEEDS and 10999 in HOLDOUT_SEEDS  # the twentieth pass's untouched range
    assert 11000 in HOLDOUT_SEEDS and 11099 in HOLDOUT_SEEDS  # the twenty-first pass's untouched range
    assert 11100 in HOLDOUT_SEEDS and 11199 in HOLDOUT_SEEDS  # the twenty-second pass's untouched range
    assert 11200 in HOLDOUT_SEEDS and 11299 in HOLDOUT_SEEDS  # the twenty-third pass's untouched range
    assert 11300 in HOLDOUT_SEEDS and 11399 in HOLDOUT_SEEDS  # the twenty-fourth pass's untouched range
    assert 11400 in HOLDOUT_SEEDS and 11499 in HOLDOUT_SEEDS  # the twenty-fifth pass's untouched range
    assert 11500 in HOLDOUT_SEEDS and 11599 in HOLDOUT_SEEDS  # the twenty-sixth pass's untouched range
    assert 11600 in HOLDOUT_SEEDS and 11699 in HOLDOUT_SEEDS  # the twenty-seventh pass's untouched range
    assert 11700 in HOLDOUT_SEEDS and 11799 in HOLDOUT_SEEDS  # the twenty-eighth pass's untouched range
    assert 11800 in HOLDOUT_SEEDS and 11899 in HOLDOUT_SEEDS  # the twenty-ninth pass's untouched range
    assert 11900 in HOLDOUT_SEEDS and 11999 in HOLDOUT_SEEDS  # the thirtieth pass's untouched range
    assert 12000 in HOLDOUT_SEEDS and 12099 in HOLDOUT_SEEDS  # the thirty-first pass's untouched range
    assert 12100 in HOLDOUT_SEEDS and 12199 in HOLDOUT_SEEDS  # the thirty-second pass's untouched range
    assert 12200 in HOLDOUT_SEEDS and 12299 in HOLDOUT_SEEDS  # the thirty-third pass's untouched range
    assert 12300 in HOLDOUT_SEEDS and 12399 in HOLDOUT_SEEDS  # the thirty-fourth pass's untouched range
    assert 12400 in HOLDOUT_SEEDS and 12499 in HOLDOUT_SEEDS  # the thirty-fifth pass's untouched range
    assert 12500 in HOLDOUT_SEEDS and 12599 in HOLDOUT_SEEDS  # the thirty-sixth pass's untouched range
    assert 12600 in HOLDOUT_SEEDS and 12699 in HOLDOUT_SEEDS  # the thirty-seventh pass's untouched range
    assert 12700 in HOLDOUT_SEEDS and 12799 in HOLDOUT_SEEDS  # the thirty-eighth pass's untouched range
    assert 12800 in HOLDOUT_SEEDS and 12899 in HOLDOUT_SEEDS  # the thirty-ninth pass's untouched range
    assert 12900 in HOLDOUT_SEEDS and 12999 in HOLDOUT_SEEDS  # the fortieth pass's untouched range
    assert 13000 in HOLDOUT_SEEDS and 13099 in HOLDOUT_SEEDS  # the forty-first pass's untouched range
    assert 13100 in HOLDOUT_SEEDS and 13199 in HOLDOUT_SEEDS  # the forty-third and forty-fourth passes' range
    assert 13200 in HOLDOUT_SEEDS and 13299 in HOLDOUT_SEEDS  # the forty-fifth and forty-sixth passes' range
    assert 13300 in HOLDOUT_SEEDS and 13399 in HOLDOUT_SEEDS  # the forty-seventh pass's range
    assert 13400 in HOLDOUT_SEEDS and 13499 in HOLDOUT_SEEDS  # the forty-eighth pass's range
    assert 13500 in HOLDOUT_SEEDS and 13599 in HOLDOUT_SEEDS  # the forty-ninth pass's range
    assert 13600 in HOLDOUT_SEEDS and 13699 in HOLDOUT_SEEDS  # session 53's run (a million squares)
    assert 13700 in HOLDOUT_SEEDS and 13799 in HOLDOUT_SEEDS  # session 54's run (the reader unchanged)
    assert 13800 in HOLDOUT_SEEDS and 13899 in HOLDOUT_SEEDS  # session 55's run (deep29 at 0.07)
    assert 13900 in HOLDOUT_SEEDS and 13999 in HOLDOUT_SEEDS  # session 57's run (clear56, cross55)
    assert 14000 in HOLDOUT_SEEDS and 14099 in HOLDOUT_SEEDS  # session 58's run (speed58)
    assert 14100 in HOLDOUT_SEEDS and 14199 in HOLDOUT_SEEDS  # session 59's run (no rule changed)
    assert 14200 in HOLDOUT_SEEDS and 14299 in HOLDOUT_SEEDS  # session 60's run (curve60)
    assert 14300 in HOLDOUT_SEEDS and 14399 in HOLDOUT_SEEDS  # session 61's run (fill61)
    assert 14400 in HOLDOUT_SEEDS and 14499 in HOLDOUT_SEEDS  # session 64's run (run62, dot63)
    assert 14500 in HOLDOUT_SEEDS and 14599 in HOLDOUT_SEEDS  # session 65's run (speed64)
    assert 14600 in HOLDOUT_SEEDS and 14699 in HOLDOUT_SEEDS  # session 66's run (blank65)
    assert 14700 in HOLDOUT_SEEDS and 14799 in HOLDOUT_SEEDS  # session 67's run (blank66)
    assert 14800 in HOLDOUT_SEEDS and 14899 in HOLDOUT_SEEDS  # session 70's run (pencil70)
    assert 14900 in HOLDOUT_SEEDS and 14999 in HOLDOUT_SEEDS  # session 71's run (touch71)
    assert 15000 in HOLDOUT_SEEDS and 15099 in HOLDOUT_SEEDS  # session 72's run (touch71, again)
    assert 15100 in HOLDOUT_SEEDS and 15199 in HOLDOUT_SEEDS  # the next pass's untouched range
    assert not set(DEV_SEEDS) & set(HOLDOUT_SEEDS)


@pytest.mark.parametrize("seed", ["9200", "9350"])
def test_untouched_seed_needs_holdout_flag(seed: str) -> None:
    out = _run("--seed", seed)
    assert out.returncode == 2
    assert "untouched part" in out.stderr


def test_holdout_flag_refuses_development_seeds() -> None:
    out = _run("--seed", "150", "--holdout")
    assert out.returncode == 2
    assert "--holdout runs the untouched seeds only" in out.stderr
