"""What the reader does with a scanner's profile, per sheet, cheaply.

- A column the calibration saw off its neighbours over blank paper (a faint streak, dark or
  light, too faint to fail the calibration and too faint for the reader's own streak check)
  that runs through a voter's square may add or hide ink there: the sheet goes to the
  commission (`calibration_streak`).
- The ballot's own fiducials give its aspect (along the feed against across it); against the
  aspect the calibration measured, a change of more than SCALE_DRIFT means the feed changed
  since calibration (worn or dirty rollers): the sheet goes to the commission
  (`calibration_scale_drift`).

Per sheet this is a handful of comparisons (no pass over the image).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from kiosk.reading.model import ReviewReason, SideReading

# Above the per-sheet variation the project's scanner model makes (fieldkit.deck: +-2 % per axis
# and perspective: up to 3.7 % in aspect over the demo's deck), below the reader's own
# refusal (reader.ASPECT_TOLERANCE, 7 %).
SCALE_DRIFT = 0.05
SQUARE_HALF_MM = 3.0  # the voter's square is 6 mm


@dataclass(frozen=True)
class ReaderCalibration:
    scanner: str
    px_per_mm_x: float  # the scanner's delivered px per mm across the feed, at calibration
    aspect: float  # scale_y / scale_x at calibration
    streaks: tuple[tuple[float, float], ...]  # (centre px, half width px) at calibration

    @staticmethod
    def from_profile(profile: dict[str, Any]) -> ReaderCalibration:
        r = profile["reader"]
        dpi = float(profile.get("nominal_dpi") or 200.0)
        return ReaderCalibration(
            scanner=str(profile["scanner"]["key"]),
            px_per_mm_x=dpi / 25.4 * float(r["scale_x"]),
            aspect=float(r["scale_y"]) / float(r["scale_x"]),
            streaks=tuple((float(c), max(0.5, float(w) / 2)) for c, w, _lv in r["streak_columns"]),
        )

    def review_reason(self, centres: np.ndarray, px_per_mm: float, aspect: float) -> ReviewReason | None:
        """`centres`: the voter's squares (image px, (n, 2)); `px_per_mm`: the ballot's scale
        from its fiducials; `aspect`: its measured aspect over the layout's."""
        if abs(aspect / self.aspect - 1) > SCALE_DRIFT:
            return "calibration_scale_drift"
        if self.streaks:
            k = px_per_mm / self.px_per_mm_x  # the same scanner at another resolution
            cw = np.array(self.streaks) * k
            reach = SQUARE_HALF_MM * px_per_mm + cw[:, 1]
            # Every square against every streak column at once (a few dozen comparisons).
            if bool((np.abs(centres[:, :1] - cw[:, 0]) <= reach).any()):
                return "calibration_streak"
        return None


def streak_crosses_reference(cal: ReaderCalibration, centres: np.ndarray, px_per_mm: float) -> bool:
    """The streak test of `review_reason`, one square and one column at a time (what the
    vectorised test must agree with: tests/test_calibration_scanner.py)."""
    k = px_per_mm / cal.px_per_mm_x
    for c, w in cal.streaks:
        for x in centres[:, 0].tolist():
            if abs(x - c * k) <= SQUARE_HALF_MM * px_per_mm + w * k:
                return True
    return False


def as_review(reading: SideReading, reason: ReviewReason) -> SideReading:
    """The reading sent to the commission: every contest to review, with `reason`."""
    contests = tuple(replace(c, outcome="review", choice=None) for c in reading.contests)
    reasons = tuple(sorted({*reading.review_reasons, reason}))
    return replace(reading, status="review", contests=contests, review_reasons=reasons)
