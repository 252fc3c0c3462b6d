"""The `debris` stress condition (fieldkit/debris.py, session 62): asked only, never drawn into
the mix; it adds debris to the sheet the same (seed, index) would give without it and changes
no truth."""

from __future__ import annotations

import cv2
import numpy as np

from fieldkit.accuracy import _field_setup
from fieldkit.conditions import (
    ALL_CONDITIONS,
    CONDITIONS,
    STRESS_CONDITIONS,
    FieldOptions,
    generate_field_sheet,
)
from fieldkit.debris import KINDS


def _sheet(index: int, fopt: FieldOptions):  # type: ignore[no-untyped-def]
    pkg, _reader, layouts = _field_setup()
    style = list(layouts)[index % len(layouts)]
    return generate_field_sheet(pkg.election, pkg.election_hash, layouts[style], 196, index, fopt)


def test_debris_is_a_stress_condition_only() -> None:
    assert "debris" in STRESS_CONDITIONS and "debris" not in CONDITIONS
    assert ALL_CONDITIONS == CONDITIONS + STRESS_CONDITIONS
    for i in range(12):
        assert "debris" not in _sheet(i, FieldOptions()).conditions


def test_debris_leaves_the_sheet_and_its_truth_as_they_were() -> None:
    """With debris only: the same truth, the same other effects, and an image that differs from
    the plain sheet's only where the debris lies (the squares it touches are named)."""
    touched = 0
    for i in range(6):
        plain = _sheet(i, FieldOptions(only="none"))
        dirty = _sheet(i, FieldOptions(only="debris"))
        assert dirty.conditions == ("debris",) and plain.conditions == ()
        assert dirty.truth.squares == plain.truth.squares and dirty.truth.contests == plain.truth.contests
        kinds = str(dirty.effects.pop("debris")).split(",")
        assert 1 <= len(kinds) <= 3 and set(kinds) <= set(KINDS)
        assert dirty.effects == plain.effects
        a = np.asarray(cv2.imdecode(np.frombuffer(plain.image, np.uint8), cv2.IMREAD_GRAYSCALE), np.int16)
        b = np.asarray(cv2.imdecode(np.frombuffer(dirty.image, np.uint8), cv2.IMREAD_GRAYSCALE), np.int16)
        assert a.shape == b.shape
        darker = (a - b) > 40  # the debris: darker by far more than JPEG's noise
        assert darker.any()
        # most of the image is as it was (JPEG blocks round the debris aside)
        assert np.count_nonzero(np.abs(a - b) > 12) < 0.02 * a.size
        touched += sum("debris" in c for c in dirty.square_conditions)
    assert touched >= 6  # laid across squares: at least one a sheet
