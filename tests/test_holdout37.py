"""The real mark the thirty-seventh pass's untouched run (seed 12600, read by 201d661: faint37
on, the fiducial fallback in) read `empty` (docs/reading.md, "The thirty-seventh pass's untouched
run").

- 36041/c39 (MZ-SMD-02, 200 dpi; fold, show-through, falloff, pencil; HB, noise 5.0, JPEG quality
  55): a very light pencil tick, a V across the inside's lower half, seen on the commission's crop
  only as a faint grey trace (benchmarks/results/pass37/holdout37-12600-36041-c39.png), fast score
  0.0115: just over faint37's low band (to 0.010), in pencil6's look band, whose tests find no
  stroke. The contest's other mark, c27 (a scribble), reads `marginal`: the sheet went to the
  commission, the truth an overvote. Fixed by wide38 (the thirty-eighth pass): faint37's test is
  asked of the wider band's `empty` squares too, and finds the V's pair of arms.
"""

from __future__ import annotations

from readkit import field_sheet
from test_holdout21 import _read

from fieldkit.hook_ab import switched_off
from kiosk.reading import clear56, pencil6, wide38


def test_the_faint_tick_is_not_empty() -> None:  # fixed by wide38
    assert _read(12600, 36041, "c39", "light_pencil") == "marginal"


def test_without_wide38_it_reads_empty() -> None:
    """The square sits in the wider band (over pencil6.LOOK_FROM, under the marginal threshold),
    and without wide38 no test there found it; since session 56 clear56's pencil floors clear of
    print find it there too (to review), and without both it reads `empty`."""
    reader, sheet, image = field_sheet(12600, 36041)
    with switched_off(wide38):
        found = {m.option: m.mark for m in reader.read(image).contests[0].marks}
    assert found["c39"] == "marginal"
    with switched_off(wide38), switched_off(clear56):
        marks = reader.read(image).contests[0].marks
    k = [m.option for m in marks].index("c39")
    assert sheet.truth.squares[k].expected == "marked"
    assert pencil6.LOOK_FROM <= marks[k].score < 0.018
    assert marks[k].mark == "empty"


def test_the_band_gate() -> None:
    """wide38 asks only the wider band: under pencil6.LOOK_FROM is faint37's own, from the
    marginal threshold up the reader decides by score."""
    assert wide38.in_band(pencil6.LOOK_FROM, 0.018)
    assert wide38.in_band(0.0115, 0.018)
    assert not wide38.in_band(pencil6.LOOK_FROM - 1e-6, 0.018)
    assert not wide38.in_band(0.018, 0.018)
    with switched_off(wide38):
        assert not wide38.in_band(0.0115, 0.018)
