"""A scanner's calibration profile: measured values, tolerances, pass or fail per measure.

`evaluate` turns the measures of each side into checks (each with a stable code when it
fails: `calibration_scale`, `calibration_streak`, ...; the kk/ru/en text in kiosk/messages.py
says what to do); `build_profile` makes the profile document, keyed by the scanner's serial
(`scanner_key`). The document is stored as canonical JSON (its bytes are what the journal's
`scanner_calibrated` link hashes): see `kiosk.calibration.store`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from typing import Any

from kiosk.calibration import sheet
from kiosk.calibration.measure import SideMeasures
from kiosk.vocabulary import ErrorCode

PROFILE_FORMAT = "sanaq.scanner-profile/1"


@dataclass(frozen=True)
class Tolerances:
    """How far a scanner may be from perfect and still count ballots (docs/calibration.md)."""

    scale: float = 0.01  # each axis against the nominal dpi
    aspect: float = 0.007  # along the feed against across it: a stretched feed
    grid_error_mm: float = 0.5  # worst grid line off a regular grid: an uneven feed
    skew_deg: float = 1.0
    offset_mm: float = 10.0  # the page's corner from the image's
    white_min: float = 180.0
    black_max: float = 80.0
    contrast_min: float = 120.0  # white - black
    grey_steps_min: int = 9  # of the 11 steps, those at least GREY_STEP_MIN levels darker than the one before
    falloff_max: float = 0.15
    streak_levels: float = 10.0  # a column this far from its neighbours over blank paper fails
    dust_max: int = 2
    resolved_min_lp_mm: float = 2.0


GREY_STEP_MIN = 3.0
DEFAULT_TOLERANCES = Tolerances()


@dataclass(frozen=True)
class Check:
    measure: str
    code: ErrorCode  # the code when it fails
    value: Any
    limit: Any
    passed: bool
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "code": self.code,
            "value": self.value,
            "limit": self.limit,
            "passed": self.passed,
            "detail": self.detail,
        }


def _pct(x: float) -> str:
    return f"{x * 100:+.2f} %"


def _geometry(m: SideMeasures, t: Tolerances) -> list[Check]:
    aspect = m.scale_y / m.scale_x - 1
    out = [
        Check(
            "scale_x",
            "calibration_scale",
            round(m.scale_x, 5),
            [1 - t.scale, 1 + t.scale],
            abs(m.scale_x - 1) <= t.scale,
            f"across the feed {_pct(m.scale_x - 1)} against {m.nominal_dpi:g} dpi",
        ),
        Check(
            "scale_y",
            "calibration_scale",
            round(m.scale_y, 5),
            [1 - t.scale, 1 + t.scale],
            abs(m.scale_y - 1) <= t.scale,
            f"along the feed {_pct(m.scale_y - 1)} against {m.nominal_dpi:g} dpi: "
            + ("stretched" if m.scale_y > 1 else "shortened")
            + " feed, check and clean the rollers",
        ),
        Check(
            "aspect",
            "calibration_scale",
            round(aspect, 5),
            [-t.aspect, t.aspect],
            abs(aspect) <= t.aspect,
            f"along the feed against across it {_pct(aspect)}: the feed "
            + ("stretches" if aspect > 0 else "shortens")
            + " the page, check and clean the rollers",
        ),
        Check(
            "grid_error_mm",
            "calibration_scale",
            round(m.grid_error_mm, 3),
            t.grid_error_mm,
            m.grid_error_mm <= t.grid_error_mm,
            f"a grid line {m.grid_error_mm:.2f} mm off a regular grid: the feed slips, check the rollers",
        ),
        Check(
            "skew_deg",
            "calibration_skew",
            round(m.skew_deg, 3),
            t.skew_deg,
            abs(m.skew_deg) <= t.skew_deg,
            f"the sheet went in turned by {m.skew_deg:+.2f} degrees: set the paper guides, scan again",
        ),
    ]
    worst = max(abs(m.offset_x_mm), abs(m.offset_y_mm))
    out.append(
        Check(
            "offset_mm",
            "calibration_offset",
            [round(m.offset_x_mm, 2), round(m.offset_y_mm, 2)],
            t.offset_mm,
            m.page_inside and worst <= t.offset_mm,
            ("part of the page is outside the image; " if not m.page_inside else "")
            + f"the page's corner is {m.offset_x_mm:.1f} mm right and {m.offset_y_mm:.1f} mm down "
            "from the image's: adjust the paper guides or the scan area",
        )
    )
    return out


def _levels(m: SideMeasures, t: Tolerances) -> list[Check]:
    steps = sum(1 for a, b in zip(m.greys, m.greys[1:], strict=False) if a - b >= GREY_STEP_MIN)
    ok = (
        m.white >= t.white_min
        and m.black <= t.black_max
        and m.white - m.black >= t.contrast_min
        and steps >= t.grey_steps_min
    )
    return [
        Check(
            "levels",
            "calibration_levels",
            {"white": round(m.white, 1), "black": round(m.black, 1), "grey_steps": steps},
            {
                "white_min": t.white_min,
                "black_max": t.black_max,
                "contrast_min": t.contrast_min,
                "grey_steps_min": t.grey_steps_min,
            },
            ok,
            f"white {m.white:.0f}, black {m.black:.0f}, {steps} of {len(m.greys) - 1} grey steps told apart",
        )
    ]


def _paper(m: SideMeasures, t: Tolerances) -> list[Check]:
    illum = m.illumination
    darker = "left" if illum and illum[0] < illum[-1] else "right"
    out = [
        Check(
            "falloff",
            "calibration_illumination",
            round(m.falloff, 4),
            t.falloff_max,
            m.falloff <= t.falloff_max,
            f"the light falls by {m.falloff * 100:.0f} % across the width, darker towards the {darker} edge",
        )
    ]
    bad = [s for s in m.streaks if abs(s.levels) >= t.streak_levels]
    where = ", ".join(
        f"{'a dark' if s.levels < 0 else 'a light'} streak at {s.x_mm:.0f} mm from the left edge" for s in bad
    )
    out.append(
        Check(
            "streaks",
            "calibration_streak",
            [s.to_json() for s in m.streaks],
            t.streak_levels,
            not bad,
            f"clean the glass: {where}" if bad else f"{len(m.streaks)} faint column(s) noted",
        )
    )
    specks = ", ".join(f"({x:.0f}, {y:.0f}) mm" for x, y in m.dust[:5])
    out.append(
        Check(
            "dust",
            "calibration_dust",
            len(m.dust),
            t.dust_max,
            len(m.dust) <= t.dust_max,
            f"{len(m.dust)} speck(s) of dust over blank paper" + (f" at {specks}" if specks else ""),
        )
    )
    out.append(
        Check(
            "resolution",
            "calibration_resolution",
            {"lp_mm": [m.resolved_x, m.resolved_y], "dpi": [round(m.dpi_x, 1), round(m.dpi_y, 1)]},
            t.resolved_min_lp_mm,
            min(m.resolved_x, m.resolved_y) >= t.resolved_min_lp_mm,
            f"finest line pairs resolved: {m.resolved_x:g}/mm across, {m.resolved_y:g}/mm along the feed "
            f"(grid pitch gives {m.dpi_x:.1f} x {m.dpi_y:.1f} dpi)",
        )
    )
    return out


def evaluate(m: SideMeasures, t: Tolerances = DEFAULT_TOLERANCES) -> list[Check]:
    """Every check of one side, in a fixed order."""
    return [*_geometry(m, t), *_levels(m, t), *_paper(m, t)]


_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def scanner_key(identity: dict[str, Any]) -> str:
    """The profile's key: the scanner's serial number where the driver says one (file-name
    safe); else its kind and a digest of its URL (a hot folder, a camera)."""
    serial = str(identity.get("serial") or "").strip()
    if serial:
        digest = hashlib.sha256(serial.encode()).hexdigest()[:12]
        safe = _SAFE.sub("_", serial)
        if not safe.strip("._"):
            return f"serial-{digest}"
        # A long one (a hot folder's path) keeps its start and a digest of the whole.
        return safe if len(safe) <= 64 else f"{safe[:48]}-{digest}"
    kind = _SAFE.sub("_", str(identity.get("kind") or "scanner"))[:16]
    url = str(identity.get("url") or "")
    return f"{kind}-{hashlib.sha256(url.encode()).hexdigest()[:12]}"


def build_profile(
    identity: dict[str, Any],
    measured: list[tuple[int, SideMeasures]],
    measured_at: str,
    actor: dict[str, str] | None = None,
    t: Tolerances = DEFAULT_TOLERANCES,
) -> dict[str, Any]:
    """The profile document. `measured`: (image index in the fed sheet, its measures)."""
    sides = []
    failures = []
    streak_columns: list[list[float]] = []
    for index, m in measured:
        checks = evaluate(m, t)
        sides.append({"image": index, "measures": m.to_json(), "checks": [c.to_json() for c in checks]})
        failures += [
            {"code": c.code, "image": index, "side": m.side, "measure": c.measure, "detail": c.detail}
            for c in checks
            if not c.passed
        ]
        streak_columns += [
            [s.column_px, s.width_mm * m.scale_x * m.nominal_dpi / 25.4, s.levels] for s in m.streaks
        ]
    scale_x = sum(m.scale_x for _, m in measured) / max(1, len(measured))
    scale_y = sum(m.scale_y for _, m in measured) / max(1, len(measured))
    return {
        "format": PROFILE_FORMAT,
        "scanner": {
            "key": scanner_key(identity),
            **{k: identity.get(k) for k in ("kind", "url", "model", "serial", "simulated")},
        },
        "measured_at": measured_at,
        "measured_by": actor or {},
        "sheet_version": sheet.SHEET_VERSION,
        "nominal_dpi": measured[0][1].nominal_dpi if measured else None,
        "tolerances": asdict(t),
        "sides": sides,
        "passed": bool(measured) and not failures,
        "failures": failures,
        # What the reader applies (kiosk.calibration.apply): the scanner's scale, and every
        # column seen off its neighbours ([centre px, width px, levels]), of either sensor.
        "reader": {
            "scale_x": round(scale_x, 5),
            "scale_y": round(scale_y, 5),
            "streak_columns": [[round(c, 1), round(w, 2), round(lv, 1)] for c, w, lv in streak_columns],
        },
    }


def summary_lines(profile: dict[str, Any]) -> list[str]:
    """A short, readable summary (the CLI and the demo print it)."""
    s = profile["scanner"]
    lines = [
        f"scanner {s['key']} ({s.get('model') or s.get('kind')}), measured {profile['measured_at']}: "
        + ("PASSED" if profile["passed"] else "FAILED")
    ]
    for side in profile["sides"]:
        m = side["measures"]
        lines.append(
            f"  image {side['image']} (sheet side {m['side']}): scale {m['scale_x']:.4f} x {m['scale_y']:.4f}, "
            f"skew {m['skew_deg']:+.2f} deg, offset {m['offset_mm'][0]:.1f}/{m['offset_mm'][1]:.1f} mm, "
            f"white {m['white']:.0f} black {m['black']:.0f}, falloff {m['falloff'] * 100:.1f} %, "
            f"streaks {len(m['streaks'])}, dust {len(m['dust'])}, "
            f"resolved {m['resolved_lp_mm'][0]:g}/{m['resolved_lp_mm'][1]:g} lp/mm, "
            f"dpi {m['dpi'][0]:.1f} x {m['dpi'][1]:.1f}"
        )
    for f in profile["failures"]:
        lines.append(f"  FAIL {f['code']} (image {f['image']}): {f['detail']}")
    return lines
