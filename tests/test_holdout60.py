"""The real mark session 60's untouched run (seed 14200, read by d8bff07) read `empty`.

- 37628/auyl (MZ-LIST, 300 dpi; fold, grey paper scan, pencil; no condition touches the
  square's window): a pencil scribble at 0.0527 after the closer look, which sent it to review
  (`marginal_mark`); settle7, marks8 and pencil9 did not settle it `marked`, and empty8's
  positive empty test settled it `empty`. The voter marked three squares (a cross read
  `marked`, another scribble in review): the contest is an overvote either way, in review; a
  wrong square, not a wrong outcome. Fixed by fill61 (session 61): the scribble is a grey
  band 1.5 mm high along the top of the inside, 0.25 darker than the paper under it, which
  empty8's pen, stroke-run and median fill tests all passed; fill61 finds it as a patch.
"""

from __future__ import annotations

from test_holdout21 import _read

from fieldkit.hook_ab import switched_off
from kiosk.reading import empty8, fill61


def test_the_pencil_scribble_is_not_empty() -> None:
    assert _read(14200, 37628, "auyl", "scribble") == "marginal"


def test_without_fill61_empty8_settles_it_empty() -> None:
    with switched_off(fill61):
        assert _read(14200, 37628, "auyl", "scribble") == "empty"


def test_without_empty8_it_goes_to_review() -> None:
    with switched_off(empty8):
        assert _read(14200, 37628, "auyl", "scribble") == "marginal"
