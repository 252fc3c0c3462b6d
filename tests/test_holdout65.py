"""The real mark session 65's untouched run (seed 14500, read by 36ab94b) read `empty`.

- 57685/c38 (MZ-SMD-02, 150 dpi; fold, show-through, lamp falloff, pencil): a light pencil
  slash across the inside, fast score 0.0104, the contest's only mark: a vote read as a blank
  ballot (1 wrong square, 1 wrong outcome in 1,035,000 squares). faint37 was asked (through
  wide38: 0.0104 is just over pencil6.LOOK_FROM) and found the slash as one lone arm at 0.0373,
  7.7 times the clean spread, under its floor of 8 times; no other look said yes. Fixed by blank65 (session 65): a contest about to
  read blank asks faint37 again at blank65.NOISE_SHARE of its spread floors.
"""

from __future__ import annotations

from readkit import field_sheet
from test_holdout21 import _read

from fieldkit.hook_ab import switched_off
from kiosk.reading import blank65


def test_the_light_pencil_slash_is_not_empty() -> None:
    assert _read(14500, 57685, "c38", "light_pencil") == "marginal"


def test_the_contest_goes_to_review_not_blank() -> None:
    reader, _sheet, image = field_sheet(14500, 57685)
    reading = reader.read(image)
    assert reading.status == "review" and reading.contests[0].outcome == "review"
    assert reading.review_reasons == ("marginal_mark",)


def test_without_blank65_the_vote_reads_blank() -> None:
    with switched_off(blank65):
        assert _read(14500, 57685, "c38", "light_pencil") == "empty"
        reader, _sheet, image = field_sheet(14500, 57685)
        assert reader.read(image).contests[0].outcome == "blank"
