"""What one scan of the calibration sheet says about the scanner. Pure: a grey image in,
`SideMeasures` out (or a `SanaqError` when the image holds no calibration sheet).

Geometry comes from the four fiducials, found exactly as the reader finds a ballot's
(`kiosk.reading.locate.find_fiducials`): a least-squares affine map from the page (mm) to the
image (px) gives the scale on each axis, the skew and the offset. Everything else is read
where the sheet's layout (`kiosk.calibration.sheet`) says it is:

- grid lines: their positions against a perfect 10 mm grid (dpi from the pitch, and how
  regular the feed is along the page);
- grey patches: the scanner's response to 12 known greys (white and black levels);
- line-pair groups: the contrast of each group along single image rows (vertical bars) and
  single columns (horizontal bars), so a skewed sheet does not blur them; the delivered
  resolution is the finest group still at RESOLVED_CONTRAST of the coarsest group's;
- the blank band, in image columns (a scanner's sensor elements are image columns for a
  sheet fed top first): illumination across the width, streaks (a column darker or lighter
  than its neighbours over blank paper) and dust (small dark specks).

Streak positions are given in mm from the left edge of the image as the scanner delivered
it (where to clean the glass), whichever way the sheet went in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.calibration import sheet
from kiosk.errors import SanaqError
from kiosk.reading.locate import find_fiducials
from kiosk.reading.qr import zbar_region

RESOLVED_CONTRAST = 0.4  # a group is resolved while its contrast is at least this share of the coarsest
STREAK_MIN_LEVELS = 4.0  # a column this far (grey levels) from its neighbours' median is noted
DUST_LEVELS = 40.0  # a speck this much darker than its column over blank paper
DUST_MIN_MM = 0.25  # and at least this big (side of an equal-area square)


@dataclass(frozen=True)
class Streak:
    x_mm: float  # from the left edge of the delivered image: where on the glass
    page_x_mm: float  # where on the sheet
    width_mm: float
    levels: float  # grey levels from the neighbouring columns: < 0 darker, > 0 lighter
    column_px: float  # image column (centre), at the scan's resolution

    def to_json(self) -> dict[str, float | str]:
        return {
            "x_mm": round(self.x_mm, 1),
            "page_x_mm": round(self.page_x_mm, 1),
            "width_mm": round(self.width_mm, 2),
            "levels": round(self.levels, 1),
            "kind": "dark" if self.levels < 0 else "light",
            "column_px": round(self.column_px, 1),
        }


@dataclass(frozen=True)
class SideMeasures:
    side: str  # "A" or "B", from the sheet's QR
    version: int
    nominal_dpi: float
    image_px: tuple[int, int]  # width, height
    rotated: bool  # the sheet went in bottom first (the image is upside down)
    scale_x: float  # delivered px/mm across the feed / nominal
    scale_y: float  # along the feed
    skew_deg: float
    shear_deg: float
    offset_x_mm: float  # the page's top-left corner from the image's
    offset_y_mm: float
    page_inside: bool  # the whole page is in the image
    dpi_x: float  # from the grid pitch
    dpi_y: float
    grid_error_mm: float  # worst grid line from a perfect grid, after scale
    white: float  # paper, grey level
    black: float  # the 100 % patch
    greys: tuple[float, ...]  # measured grey of each patch, white to black
    illumination: tuple[float, ...]  # paper level every 10 mm across the page, relative to the brightest
    falloff: float  # 1 - darkest/brightest paper across the width
    streaks: tuple[Streak, ...]
    dust: tuple[tuple[float, float], ...]  # specks (x_mm, y_mm) on the page
    contrast_x: tuple[float, ...]  # per line-pair group (sheet.BAR_FREQUENCIES), vertical bars
    contrast_y: tuple[float, ...]  # horizontal bars
    resolved_x: float  # finest line pairs per mm resolved across the feed (0: none)
    resolved_y: float

    def to_json(self) -> dict[str, object]:
        r = round
        return {
            "side": self.side,
            "sheet_version": self.version,
            "nominal_dpi": r(self.nominal_dpi, 1),
            "image_px": list(self.image_px),
            "rotated": self.rotated,
            "scale_x": r(self.scale_x, 5),
            "scale_y": r(self.scale_y, 5),
            "skew_deg": r(self.skew_deg, 3),
            "shear_deg": r(self.shear_deg, 3),
            "offset_mm": [r(self.offset_x_mm, 2), r(self.offset_y_mm, 2)],
            "page_inside": self.page_inside,
            "dpi": [r(self.dpi_x, 2), r(self.dpi_y, 2)],
            "grid_error_mm": r(self.grid_error_mm, 3),
            "white": r(self.white, 1),
            "black": r(self.black, 1),
            "greys": [r(g, 1) for g in self.greys],
            "illumination": [r(v, 3) for v in self.illumination],
            "falloff": r(self.falloff, 4),
            "streaks": [s.to_json() for s in self.streaks],
            "dust": [[r(x, 1), r(y, 1)] for x, y in self.dust],
            "contrast_x": [r(c, 3) for c in self.contrast_x],
            "contrast_y": [r(c, 3) for c in self.contrast_y],
            "resolved_lp_mm": [self.resolved_x, self.resolved_y],
        }


def _fiducial_centres_mm() -> np.ndarray:
    return np.array([[f.cx, f.cy] for f in sheet.fiducials()], dtype=np.float64)


def _frame(image: np.ndarray) -> tuple[np.ndarray, sheet.SheetInfo] | None:
    """The fiducial centres (px, page order) of an upright sheet, and what its QR says."""
    found = find_fiducials(image)
    if found is None:
        return None
    corners = found.corners[0]
    if corners.orientation != 0:
        return None
    h = cv2.getPerspectiveTransform(
        _fiducial_centres_mm().astype(np.float32), corners.points.astype(np.float32)
    ).astype(np.float64)
    qr = sheet.qr_box()
    for payload in zbar_region(image, h, (qr.x, qr.y, qr.w, qr.h)):
        info = sheet.parse_payload(payload)
        if info is not None:
            return corners.points.astype(np.float64), info
    return None


def _affine(points_px: np.ndarray) -> np.ndarray:
    """Least-squares page (mm) -> image (px) affine map, 2 x 3."""
    mm = _fiducial_centres_mm()
    a = np.hstack([mm, np.ones((4, 1))])
    sol, *_ = np.linalg.lstsq(a, points_px, rcond=None)
    return np.asarray(sol.T)


def _to_image(m: np.ndarray, x: float, y: float) -> tuple[float, float]:
    return float(m[0, 0] * x + m[0, 1] * y + m[0, 2]), float(m[1, 0] * x + m[1, 1] * y + m[1, 2])


def _line_centres(profile: np.ndarray, nominal_mm: np.ndarray, r: float, paper: float) -> np.ndarray:
    """Centroid (mm) of the ink of each grid line in a profile sampled at r px per mm."""
    out = []
    half = int(2.5 * r)
    for x in nominal_mm.tolist():
        c = round(x * r)
        lo, hi = max(0, c - half), min(len(profile), c + half + 1)
        ink = np.clip(paper - profile[lo:hi], 0, None)
        ink = np.clip(ink - 0.25 * ink.max(), 0, None)
        total = float(ink.sum())
        out.append((lo + float((ink * np.arange(hi - lo)).sum()) / total) / r if total > 0 else math.nan)
    return np.array(out)


def _fit(nominal: np.ndarray, measured: np.ndarray) -> tuple[float, float]:
    """Slope of measured against nominal, and the worst residual (mm)."""
    ok = np.isfinite(measured)
    if ok.sum() < 3:
        return math.nan, math.inf
    slope, icpt = np.polyfit(nominal[ok], measured[ok], 1)
    return float(slope), float(np.abs(measured[ok] - (slope * nominal[ok] + icpt)).max())


def _contrast(values: np.ndarray) -> float:
    hi, lo = np.percentile(values, (90, 10))
    return float((hi - lo) / (hi + lo)) if hi + lo > 0 else 0.0


def _bar_contrasts(image: np.ndarray, m: np.ndarray, vertical: bool) -> tuple[float, ...]:
    """Per group: the median over single image rows (vertical bars) or columns (horizontal
    bars) of the contrast along that row or column, inside the group."""
    out = []
    for k in range(len(sheet.BAR_FREQUENCIES)):
        box = sheet.bar_group(k, vertical)
        per_line = []
        for t in np.linspace(0.25, 0.75, 9):
            if vertical:  # a row across the bars at page height box.y + t * h
                a = _to_image(m, box.x + 0.3, box.y + t * box.h)
                b = _to_image(m, box.x + box.w - 0.3, box.y + t * box.h)
                row = round((a[1] + b[1]) / 2)
                line = image[row, round(min(a[0], b[0])) : round(max(a[0], b[0])) + 1]
            else:
                a = _to_image(m, box.x + t * box.w, box.y + 0.3)
                b = _to_image(m, box.x + t * box.w, box.y + box.h - 0.3)
                col = round((a[0] + b[0]) / 2)
                line = image[round(min(a[1], b[1])) : round(max(a[1], b[1])) + 1, col]
            if line.size >= 4:
                per_line.append(_contrast(line.astype(np.float64)))
        out.append(float(np.median(per_line)) if per_line else 0.0)
    return tuple(out)


def _resolved(contrasts: tuple[float, ...]) -> float:
    base = contrasts[0]
    best = 0.0
    for f, c in zip(sheet.BAR_FREQUENCIES, contrasts, strict=True):
        if base <= 0 or c < RESOLVED_CONTRAST * base:
            break
        best = f
    return best


def _running_median(values: np.ndarray, width: int) -> np.ndarray:
    half = max(1, width // 2)
    padded = np.pad(values, half, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    return np.asarray(np.median(windows, axis=1))


def _blank_band(image: np.ndarray, m: np.ndarray, sx: float) -> tuple[np.ndarray, int, int, int]:
    """The image block that is blank paper for the whole width: rows y0..y1, from column x0."""
    margin = 3.0
    tl = _to_image(m, 1.0, sheet.BLANK_Y0 + margin)
    tr = _to_image(m, sheet.WIDTH_MM - 1.0, sheet.BLANK_Y0 + margin)
    bl = _to_image(m, 1.0, sheet.BLANK_Y1 - margin)
    br = _to_image(m, sheet.WIDTH_MM - 1.0, sheet.BLANK_Y1 - margin)
    y0 = math.ceil(max(tl[1], tr[1]))
    y1 = math.floor(min(bl[1], br[1]))
    x0 = math.ceil(max(tl[0], bl[0], 0))
    x1 = math.floor(min(tr[0], br[0], image.shape[1] - 1))
    y0, y1 = max(0, y0), min(image.shape[0] - 1, y1)
    if y1 - y0 < max(4, 2 * sx) or x1 - x0 < 50 * sx:
        raise SanaqError("calibration_sheet_unrecognised", "the blank band is not in the image")
    return image[y0 : y1 + 1, x0 : x1 + 1].astype(np.float64), x0, y0, y1


def measure_side(image: np.ndarray, nominal_dpi: float) -> SideMeasures:
    """Everything one grey scan of the calibration sheet tells; `nominal_dpi`: the resolution the
    scanner says it delivers (the image's own, or the one asked for)."""
    if image.ndim != 2:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.shape[2] == 3 else image[..., 0]
    image = np.ascontiguousarray(image)
    rotated = False
    framed = _frame(image)
    if framed is None:
        turned = np.ascontiguousarray(image[::-1, ::-1])
        framed = _frame(turned)
        if framed is None:
            raise SanaqError(
                "calibration_sheet_unrecognised", "no calibration sheet (fiducials and SQCAL code), portrait"
            )
        image, rotated = turned, True
    points, info = framed
    if info.version != sheet.SHEET_VERSION:
        raise SanaqError("calibration_sheet_unrecognised", f"sheet version {info.version}")
    m = _affine(points)
    sx, sy = math.hypot(m[0, 0], m[1, 0]), math.hypot(m[0, 1], m[1, 1])
    nominal = nominal_dpi / 25.4
    skew = math.degrees(math.atan2(m[1, 0], m[0, 0]))
    shear = math.degrees(math.atan2(-m[0, 1], m[1, 1])) - skew
    hh, ww = image.shape
    corners = [_to_image(m, x, y) for x in (0.0, sheet.WIDTH_MM) for y in (0.0, sheet.HEIGHT_MM)]
    tol = 0.5 * sx
    inside = all(-tol <= x <= ww - 1 + tol and -tol <= y <= hh - 1 + tol for x, y in corners)

    # The page rectified at its own scale: r px per mm on both axes.
    r = (sx + sy) / 2
    to_rect = np.array([[1 / r, 0, 0], [0, 1 / r, 0], [0, 0, 1]])
    h_page = np.vstack([m, [0, 0, 1]])
    size = (int(sheet.WIDTH_MM * r), int(sheet.HEIGHT_MM * r))
    page = cv2.warpPerspective(
        image, h_page @ to_rect, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderValue=255
    ).astype(np.float64)

    band, bx0, _by0, _by1 = _blank_band(image, m, sx)
    columns = np.median(band, axis=0)
    white = float(np.median(columns))

    # Grid: vertical lines give x, horizontal lines y.
    gy0, gy1 = int((sheet.GRID_Y0 + 1) * r), int((sheet.GRID_Y1 - 1) * r)
    gx0, gx1 = int((sheet.GRID_X0 + 1) * r), int((sheet.GRID_X1 - 1) * r)
    xs, ys = sheet.grid_xs(), sheet.grid_ys()
    x_meas = _line_centres(page[gy0:gy1].mean(axis=0), xs, r, white)
    y_meas = _line_centres(page[:, gx0:gx1].mean(axis=1), ys, r, white)
    bx, ex = _fit(xs, x_meas)
    by, ey = _fit(ys, y_meas)

    greys = []
    for k in range(sheet.GREY_STEPS):
        b = sheet.grey_patch(k)
        patch = page[
            int((b.y + 0.2 * b.h) * r) : int((b.y + 0.8 * b.h) * r),
            int((b.x + 0.2 * b.w) * r) : int((b.x + 0.8 * b.w) * r),
        ]
        greys.append(float(np.median(patch)))

    contrast_x = _bar_contrasts(image, m, True)
    contrast_y = _bar_contrasts(image, m, False)

    # Illumination across the width: the paper level, smoothed over 5 mm, every 10 mm.
    smooth = _running_median(columns, int(5 * sx) | 1)
    top = float(smooth.max()) or 1.0
    page_x = [(bx0 + i - m[0, 2]) / sx for i in range(len(smooth))]
    samples = [float(np.interp(x, page_x, smooth)) / top for x in np.arange(4.0, sheet.WIDTH_MM - 3.9, 10.0)]
    falloff = 1.0 - float(smooth.min()) / top

    # Streaks: columns off their neighbours' median.
    base = _running_median(columns, int(4 * sx) | 1)
    dev = columns - base
    streaks = []
    flagged = np.abs(dev) >= STREAK_MIN_LEVELS
    i, n = 0, len(dev)
    while i < n:
        if not flagged[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and flagged[j + 1] and np.sign(dev[j + 1]) == np.sign(dev[i]):
            j += 1
        seg = dev[i : j + 1]
        peak = float(seg[np.argmax(np.abs(seg))])
        centre = bx0 + (i + j) / 2
        column = (ww - 1 - centre) if rotated else centre  # the column as the scanner delivered it
        streaks.append(
            Streak(
                x_mm=(column + 0.5) / sx,
                page_x_mm=(centre - m[0, 2]) / sx,
                width_mm=(j - i + 1) / sx,
                levels=peak,
                column_px=column,
            )
        )
        i = j + 1

    # Dust: dark specks over the blank band, each column's own level taken out.
    residual = band - columns[None, :]
    mask = (residual < -DUST_LEVELS).astype(np.uint8)
    n_cc, _labels, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    min_area = max(2.0, (DUST_MIN_MM * sx) ** 2)
    dust = []
    for k in range(1, n_cc):
        if stats[k, cv2.CC_STAT_AREA] >= min_area:
            cx, cy = centroids[k]
            dust.append(((bx0 + cx - m[0, 2]) / sx, sheet.BLANK_Y0 + 3.0 + cy / sy))

    return SideMeasures(
        side=info.side,
        version=info.version,
        nominal_dpi=nominal_dpi,
        image_px=(ww, hh),
        rotated=rotated,
        scale_x=sx / nominal,
        scale_y=sy / nominal,
        skew_deg=skew,
        shear_deg=shear,
        offset_x_mm=(float(m[0, 2]) + 0.5) / sx,  # pixel i covers [i, i + 1)
        offset_y_mm=(float(m[1, 2]) + 0.5) / sy,
        page_inside=inside,
        dpi_x=sx * bx * 25.4 if math.isfinite(bx) else 0.0,
        dpi_y=sy * by * 25.4 if math.isfinite(by) else 0.0,
        grid_error_mm=max(ex, ey),
        white=white,
        black=greys[-1],
        greys=tuple(greys),
        illumination=tuple(samples),
        falloff=falloff,
        streaks=tuple(streaks),
        dust=tuple(dust),
        contrast_x=contrast_x,
        contrast_y=contrast_y,
        resolved_x=_resolved(contrast_x),
        resolved_y=_resolved(contrast_y),
    )
