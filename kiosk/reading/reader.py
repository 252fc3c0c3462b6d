"""The ballot reader: one scanned side in, an interpreted side out.

    image -> fiducials (coarse) -> orientation + identity (QR) -> checks against the
    election and station -> registration (corner homography, then the row timing marks
    for local correction) -> streak check -> mark scores -> marks -> contest outcomes.

Every refusal is a `SideReading` with a stable reason code, never an exception.
The reader holds no storage and no clock; it is safe to use from several processes.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal, NamedTuple

import cv2
import numpy as np

import kiosk.reading.beside35 as beside35  # issue 10, beside35: a tick beside on a sunk side
import kiosk.reading.blank65 as blank65  # issue 10, blank65: a blank contest's faint squares again
import kiosk.reading.clump60 as clump60  # issue 10, clump60: a dust clump on a hair, to review
import kiosk.reading.cross16 as cross16  # issue 10, cross16: a light X whose strokes meet, asked by the low hooks
import kiosk.reading.cross28 as cross28  # issue 10, cross28: grain14's pair after wrong10's last look
import kiosk.reading.cross55 as cross55  # issue 10, cross55: cross28's pair, its spread clear of print
import kiosk.reading.dark49 as dark49  # issue 10, dark49: a dark stain's body to review
import kiosk.reading.deep29 as deep29  # issue 10, deep29: vote11's band further down
import kiosk.reading.dot63 as dot63  # issue 10, dot63: a lone dark dot in the square, to review
import kiosk.reading.edge16 as edge16  # issue 10, edge16: a tick across the corner the fast path let go
import kiosk.reading.edge24 as edge24  # issue 10, edge24: a light tick beside, its foot on the border
import kiosk.reading.empty8 as empty8  # issue 10, eighth pass (empty8)
import kiosk.reading.erase9 as erase9  # issue 10, ninth pass (erase9): erased marks to review
import kiosk.reading.faint9 as faint9  # issue 10, ninth pass (faint9)
import kiosk.reading.faint37 as faint37  # issue 10, faint37: the low band's faint strokes
import kiosk.reading.fill50 as fill50  # issue 10, fill50: a light fill beside a darker paper side to review
import kiosk.reading.fix8 as fix8  # fix8: the red team's eighth-pass cases
import kiosk.reading.grain14 as grain14  # issue 10, grain14: a faint stroke broken by grain, to review
import kiosk.reading.grey48 as grey48  # issue 10, forty-fifth pass (grey48): a light pencil's grey strokes
import kiosk.reading.lines10 as lines10  # issue 10, tenth pass (lines10): a scanner's streak divided out
import kiosk.reading.look23 as look23  # issue 10, look23: a light stroke over the border into the square
import kiosk.reading.low15 as low15  # issue 10, low15: a light mark scoring its side's lowest, to review
import kiosk.reading.marks8 as marks8  # issue 10, eighth pass (marks8)
import kiosk.reading.miss11 as miss11  # issue 10, miss11: a light mark under the wider band, never asked
import kiosk.reading.pencil9 as pencil9  # issue 10, ninth pass (pencil9)
import kiosk.reading.pencil10 as pencil10  # issue 10, tenth pass (pencil10)
import kiosk.reading.pencil11 as pencil11  # issue 10, eleventh pass (pencil11)
import kiosk.reading.plus31 as plus31  # issue 10, plus31: a pencil plus beside a streak, in vote11's band
import kiosk.reading.rebase14 as rebase14  # issue 10, rebase14: tick13 from -0.003 up, on a sunk side
import kiosk.reading.ridge52 as ridge52  # issue 10, ridge52: a thumb's ridges over its own body to review
import kiosk.reading.run62 as run62  # issue 10, run62: a dark line running on beyond the square, to review
import kiosk.reading.settle7 as settle7  # issue 10, seventh pass (settle7)
import kiosk.reading.show10 as show10  # issue 10, tenth pass (show10): the title side's known print
import kiosk.reading.stain10 as stain10  # issue 10, tenth pass (stain10)
import kiosk.reading.tick13 as tick13  # issue 10, tick13: a light tick sunk under zero by the baseline
import kiosk.reading.under23 as under23  # issue 10, under23: a light tick under miss11's foot gate's score
import kiosk.reading.vote11 as vote11  # issue 10, vote11: a light tick just under the doubt band to review
import kiosk.reading.wide38 as wide38  # issue 10, wide38: faint37 asked of the wider band
import kiosk.reading.wrong10 as wrong10  # issue 10, tenth pass (wrong10): wrong decisions to review
import kiosk.reading.wrong11 as wrong11  # issue 10, wrong11: a stroke beside a streak to review
from kiosk.ballots.layout import (
    EDGE,
    FIDUCIAL,
    LAYOUT_VERSION,
    QR_HASH_CHARS,
    TARGET,
    TARGET_STROKE,
    TEXT_X,
    TIMING_H,
    TIMING_W,
    BallotLayout,
    Box,
    QrInfo,
    build_layout,
    fiducials_for_height,
    parse_qr_payload,
    qr_box_for_height,
)
from kiosk.calibration.apply import ReaderCalibration, as_review
from kiosk.election.model import Election, station_code
from kiosk.reading import intake, kernels, lines7, pencil6, pencil7, rims7
from kiosk.reading.inspect import (
    PENCIL_CONTRAST,
    PENCIL_INSET_MM,
    PENCIL_REACH_MM,
    PENCIL_RUN_MM,
    PENCIL_SMOOTH_MM,
    inspect_square,
)
from kiosk.reading.lines6 import PEN_DOUBT_LO  # issue 10, sixth pass (line6)
from kiosk.reading.locate import (
    FIDUCIAL_SPAN_MM,
    Found,
    Levels,
    PageCorners,
    find_fiducials,
    find_fiducials_past_lines,
    grey_at,
    grey_cdf,
)
from kiosk.reading.model import (
    ContestReading,
    Crop,
    MarkReading,
    ReviewReason,
    SideReading,
    Thresholds,
    contest_outcome,
    rejected,
)
from kiosk.reading.qr import QrBook, zbar_full_page, zbar_region
from kiosk.vocabulary import Mode

# Window around each square: the whole printed border stays inside it under any
# registration error we accept, so the border's ink is the same in every window and the
# per-sheet baseline removes it.
WINDOW_MARGIN_MM = 1.2
ASPECT_TOLERANCE = 0.07  # each axis may be stretched by 3%
MIN_TIMING_MARKS = 0.75  # share of rows whose marks must be found
MIN_SIDE_PX = 300
MAX_SIDE_PX, MAX_PIXELS = intake.MAX_SIDE_PX, intake.MAX_PIXELS  # a ballot's page (image28)
STREAK_DARK_SHARE = 0.85
STREAK_STEP = 4  # image rows looked at: every fourth
STREAK_EARLY = True  # front21: stop the streak count once no column can be one (kernels._streak_rows)
MAX_SCALE_OFF = 0.06  # a row's scale may differ from the fiducials' by this share
HALF_MM = TARGET / 2 + WINDOW_MARGIN_MM  # a window's half-size, mm


def decode_image(data: bytes) -> np.ndarray | SideReading:
    """Bytes from a scanner or a file (PNG, JPEG, TIFF, PNM) to a grey uint8 array."""
    if len(data) < 8:
        return rejected("image_undecodable", "too short")
    refusal = intake.check_header(data)  # format and size from the header, before decoding
    if refusal is None:
        refusal = intake.check_tiff_blocks(data)  # fuzz30: a TIFF's strips all in the file
    if refusal is not None:
        return refusal
    buf = np.frombuffer(data, np.uint8)
    try:
        image = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    except cv2.error:
        image = None
    if image is None:
        return rejected("image_undecodable")
    return np.asarray(image)


def as_grey(image: np.ndarray) -> np.ndarray | SideReading:
    if image.ndim == 3 and image.shape[2] in (3, 4):
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY if image.shape[2] == 3 else cv2.COLOR_BGRA2GRAY)
    if image.ndim != 2:
        return rejected("image_undecodable", f"shape {image.shape}")
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype != np.uint8:
        return rejected("image_undecodable", f"dtype {image.dtype}")
    h, w = image.shape
    if min(h, w) < MIN_SIDE_PX or max(h, w) > MAX_SIDE_PX or h * w > MAX_PIXELS:
        return rejected("image_size_unsupported", f"{w}x{h}")
    return np.ascontiguousarray(image)  # one memory layout for the compiled kernels


@dataclass(frozen=True)
class StylePlan:
    """Everything per style that does not depend on the sheet, computed once."""

    layout: BallotLayout
    fiducials_mm: np.ndarray  # (4, 2) page mm, page order
    # The left and right timing-mark centres of each row in turn, page mm, as homogeneous
    # columns (3, 2 * rows).
    mark_rows_h: np.ndarray
    target_t: np.ndarray  # (rows,) position of the square centre between the row's marks
    target_dy_mm: np.ndarray  # (rows,) square centre below the marks' line (0 by design)
    mark_span_mm: float
    interior_mm2: float
    any_dy: bool  # some square centre is off its marks' line


def _plan(layout: BallotLayout) -> StylePlan:
    fid = fiducial_centres(layout.height_mm)
    rows = []
    ts, dys = [], []
    for t in layout.targets:
        left = next(m.box for m in layout.timing_marks if m.row == t.row and m.edge == "left")
        right = next(m.box for m in layout.timing_marks if m.row == t.row and m.edge == "right")
        rows.append([[left.cx, left.cy], [right.cx, right.cy]])
        ts.append((t.box.cx - left.cx) / (right.cx - left.cx))
        dys.append(t.box.cy - left.cy)
    span = float(rows[0][1][0] - rows[0][0][0])
    flat = np.array(rows).reshape(-1, 2)
    return StylePlan(
        layout,
        fid,
        np.vstack([flat.T, np.ones(len(flat))]),
        np.array(ts),
        np.array(dys),
        span,
        (TARGET - 2 * TARGET_STROKE) ** 2,
        any(abs(d) > 1e-9 for d in dys),
    )


def page_to_image(corners: PageCorners, fiducials_mm: np.ndarray) -> np.ndarray:
    h: np.ndarray = np.asarray(
        cv2.getPerspectiveTransform(fiducials_mm.astype(np.float32), corners.points.astype(np.float32)),
        dtype=np.float64,
    )
    return h


# Refusals a wrong frame gives (the checks after the fiducials); a page refused so is framed again
# past its thin lines (`BallotReader._read`).
REFRAMED = frozenset({"layout_mismatch", "unreadable"})


def _same_frame(a: Found, b: Found) -> bool:
    """The same four corners to within a millimetre (reading again would read the same)."""
    pa, pb = a.corners[0].points, b.corners[0].points
    return bool(np.abs(pa - pb).max() <= a.corners[0].px_per_mm)


class BallotReader:
    def __init__(
        self,
        election: Election,
        election_hash: str,
        station: str | None = None,
        mode: Mode = "official",
        thresholds: Thresholds = Thresholds(),
        keep_crops: Literal["never", "review", "always"] = "review",
        calibration: ReaderCalibration | None = None,
    ) -> None:
        """`calibration`: the scanner's profile (issue 16, kiosk.calibration.apply)."""
        self.election = election
        self.calibration = calibration
        self.election_hash = election_hash
        if station is None:
            if len(election.stations) != 1:
                raise ValueError("the package has several stations: name one")
            station = election.stations[0].id
        self.station = election.station(station)
        self._station_code = station_code(station) if election.rules.station_specific_ballots else None
        self.mode = mode
        self.thresholds = thresholds
        self.keep_crops = keep_crops
        layouts = {
            (s.id, test): build_layout(election, election_hash, s.id, test, self.station.id)
            for s in election.styles
            for test in (False, True)
        }
        self.plans = {key: _plan(layout) for key, layout in layouts.items()}
        self.book = QrBook(layouts)
        # Load the compiled kernels now (or compile them, once per install), not at the
        # first sheet.
        kernels.warm()
        # OpenCV on one thread in the process that reads (session 62): every call the reader
        # makes is on a square's window or a coarse page, where OpenCV's thread pool costs more
        # than it gives (the same sheets read in turn with 1 and 2 threads: 1 thread 5-8 %
        # faster at the median, 16-43 % on the mean). benchmarks/read.py always measured with
        # one thread; the kiosk's station thread now reads as it was measured.
        cv2.setNumThreads(1)

    # --- public -----------------------------------------------------------------------

    def read_bytes(self, data: bytes) -> SideReading:
        image = decode_image(data)
        if isinstance(image, SideReading):
            return image
        return self.read(image)

    def read(self, image: np.ndarray) -> SideReading:
        grey = as_grey(image)
        if isinstance(grey, SideReading):
            return grey
        return self._read(grey)

    def read_sheet(self, images: Sequence[np.ndarray | bytes]) -> SideReading:
        """A sheet is both sides, in either order: the choices side decides."""
        readings = [self.read_bytes(i) if isinstance(i, bytes) else self.read(i) for i in images]
        for r in readings:
            if r.side == "back":
                return r
        fronts = [r for r in readings if r.side == "front"]
        if fronts:
            # A front that was itself refused (wrong election...) says more than "title side".
            for r in fronts:
                if r.reason != "title_side_only":
                    return r
            return fronts[0]
        return readings[0] if readings else rejected("not_a_ballot", "no image")

    # --- the pipeline ------------------------------------------------------------------------

    def _read(self, image: np.ndarray) -> SideReading:
        found = find_fiducials(image)
        if found is None:
            # Rare and slow (a closing of the whole scan: 70 ms at 250 dpi, a quarter second at
            # 600): only once the plain search has failed. Everything after reads the scan itself.
            found = find_fiducials_past_lines(image)
            return self._no_page(image) if found is None else self._read_framed(image, found)
        reading = self._read_framed(image, found)
        if reading.status == "rejected" and reading.reason in REFRAMED:
            # A line joined to a fiducial can also make the plain search take another blob for
            # it (at 150 dpi, a voter's filled square): the frame then fails its checks. Framed
            # again past the lines, and kept only where that frame passes them.
            again = find_fiducials_past_lines(image)
            if again is not None and not _same_frame(again, found):
                second = self._read_framed(image, again)
                if second.status != "rejected":
                    return second
        return reading

    def _read_framed(self, image: np.ndarray, found: Found) -> SideReading:
        ident = self._identify(image, found)
        if isinstance(ident, SideReading):
            return ident
        info, corners, plan, h_found = ident
        known: dict[str, Any] = {
            "side": info.side,
            "style": info.style,
            "test": info.test,
            "orientation": corners.orientation,
            "dpi": corners.px_per_mm * 25.4,
        }
        refusal = self._check(info)
        if refusal is not None:
            return rejected(refusal, **known)
        layout = plan.layout
        expected_ratio = (layout.height_mm - 2 * EDGE - FIDUCIAL) / FIDUCIAL_SPAN_MM
        ratio = corners.height_px / corners.width_px
        if abs(ratio / expected_ratio - 1) > ASPECT_TOLERANCE:
            return rejected("layout_mismatch", f"aspect {ratio:.3f} vs {expected_ratio:.3f}", **known)
        if info.side == "front":
            return rejected("title_side_only", **known)
        # The QR match already framed the page at this length: the same homography.
        h = h_found if h_found is not None else page_to_image(corners, plan.fiducials_mm)
        levels = found.levels
        centres = self._register(image, h, plan, levels, corners.px_per_mm)
        if centres is None:
            return rejected("unreadable", "timing marks", **known)
        centres_px, scales = centres
        if self._streak(image, centres_px, scales, levels, corners):
            return rejected("needs_cleaning", **known)
        scores = score_squares(image, centres_px, scales, levels, plan.interior_mm2)
        reading = self._interpret(image, plan, scores, centres_px, scales, known)
        if self.calibration is not None and reading.status == "ok":
            why = self.calibration.review_reason(centres_px, corners.px_per_mm, ratio / expected_ratio)
            if why is not None:
                return as_review(reading, why)
        return reading

    def _no_page(self, image: np.ndarray) -> SideReading:
        f = max(1, min(image.shape) // 200)
        cdf = grey_cdf(image[::f, ::f])
        paper = grey_at(cdf, 0.5)
        dark_share = float(cdf[max(0, int(paper) - 60)])
        if dark_share < 0.002:
            return rejected("blank_page")
        for payload in zbar_full_page(image):
            info = parse_qr_payload(payload)
            if info is not None:
                # Our code, but the page could not be framed: folded, cut, or badly skewed.
                return rejected("unreadable", "no fiducials", style=info.style, side=info.side)
        return rejected("not_a_ballot")

    def _identify(
        self, image: np.ndarray, found: Found
    ) -> tuple[QrInfo, PageCorners, StylePlan, np.ndarray | None] | SideReading:
        """Orientation and identity from the QR: fast template match, then zbar."""
        width = found.corners[0].width_px
        height = found.corners[0].height_px
        heights = [
            hh
            for hh in self.book.heights
            if abs((height / width) / ((hh - 2 * EDGE - FIDUCIAL) / FIDUCIAL_SPAN_MM) - 1) < ASPECT_TOLERANCE
        ]
        for corners in found.corners:
            for hh in heights:
                h, qr = _frame(corners, hh)
                code = self.book.match(image, h, qr.x, qr.y, hh)
                if code is not None:
                    return code.info, corners, self.plans[(code.info.style, code.info.test)], h
        # Not one of ours as printed (or damaged): decode it to say what it is.
        est_height = height / width * FIDUCIAL_SPAN_MM + 2 * EDGE + FIDUCIAL
        payloads: list[tuple[str, PageCorners]] = []
        for corners in found.corners:
            for hh in heights or [est_height]:
                h, qr = _frame(corners, hh)
                payloads += [(p, corners) for p in zbar_region(image, h, (qr.x, qr.y, qr.w, qr.h))]
            if payloads:
                break
        if not payloads:
            payloads = [(p, found.corners[0]) for p in zbar_full_page(image)]
        for payload, corners in payloads:
            info = parse_qr_payload(payload)
            if info is None:
                continue
            plan = self.plans.get((info.style, info.test))
            if plan is None:  # a style this election does not have; _read checks the rest
                return rejected(
                    self._check(info) or "wrong_election", style=info.style, side=info.side, test=info.test
                )
            return info, corners, plan, None
        if payloads:
            return rejected("not_a_ballot", "foreign QR code")
        return rejected("unreadable", "no QR code")

    def _check(self, info: QrInfo) -> str | None:
        if info.layout_version != LAYOUT_VERSION:
            return "layout_version_unsupported"
        if info.hash_prefix != self.election_hash[:QR_HASH_CHARS]:
            return "wrong_election"
        if info.style not in {s.id for s in self.election.styles}:
            return "wrong_election"
        if info.style not in self.station.styles:
            return "wrong_station"
        if info.station != self._station_code:  # station-specific ballots (issue 11)
            return "wrong_station" if self.election.rules.station_specific_ballots else "wrong_election"
        if info.test and self.mode == "official":
            return "test_ballot_in_official_mode"
        if not info.test and self.mode == "test":
            return "official_ballot_in_test_mode"
        return None

    def _register(
        self, image: np.ndarray, h: np.ndarray, plan: StylePlan, levels: Levels, px_per_mm: float
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Square centres (px) and local scales (px/mm), corrected row by row from the timing marks.

        front21: the marks, the rows' geometry and the scale check in one compiled call
        (`kernels.register_rows`) when every row has both marks; `_register_apart` (kept as
        its reference) does the same in three steps, and its numpy path for missing marks
        is still the path here."""
        rx, ry, expected = timing_mark_window(px_per_mm)
        predicted, refined, complete, centres, scales, off = kernels.register_rows(
            image,
            h,
            plan.mark_rows_h,
            rx,
            ry,
            levels.mid,
            expected,
            plan.target_t,
            plan.target_dy_mm,
            plan.any_dy,
            plan.mark_span_mm,
            px_per_mm,
            MAX_SCALE_OFF,
        )
        rows = len(plan.target_t)
        if complete < MIN_TIMING_MARKS * rows:
            return None
        if complete < rows or rows == 0:
            fill_missing_marks(predicted, refined)
            centres, scales = row_geometry_numpy(
                refined, plan.target_t, plan.target_dy_mm, plan.any_dy, plan.mark_span_mm
            )
            if max(abs(s / px_per_mm - 1) for s in scales.tolist()) > MAX_SCALE_OFF:
                return None
            return centres, scales
        if off:
            return None
        return centres, scales

    def _register_apart(
        self, image: np.ndarray, h: np.ndarray, plan: StylePlan, levels: Levels, px_per_mm: float
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """`_register` as the reader did it until front21 (its reference)."""
        rx, ry, expected = timing_mark_window(px_per_mm)
        predicted, refined, complete = kernels.timing_rows(
            image, h, plan.mark_rows_h, rx, ry, levels.mid, expected
        )
        rows = len(plan.target_t)
        if complete < MIN_TIMING_MARKS * rows:
            return None
        if complete < rows:
            fill_missing_marks(predicted, refined)
            centres, scales = row_geometry_numpy(
                refined, plan.target_t, plan.target_dy_mm, plan.any_dy, plan.mark_span_mm
            )
        else:
            centres, scales = kernels.row_geometry(
                refined, plan.target_t, plan.target_dy_mm, plan.any_dy, plan.mark_span_mm
            )
        if max(abs(s / px_per_mm - 1) for s in scales.tolist()) > MAX_SCALE_OFF:
            return None
        return centres, scales

    def _streak(
        self, image: np.ndarray, centres: np.ndarray, scales: np.ndarray, levels: Levels, corners: PageCorners
    ) -> bool:
        """A dirty sensor draws a dark line down every image column it sees. Look for a
        column that is dark over (nearly) the whole page and passes through a square.

        front21: one compiled call (`kernels.streak_side`: the bounds as `_streak_apart`
        computes them, and the count stopped once no column can be a streak, with its
        proof); `_streak_apart`, kept as its reference, where an input is not finite."""
        got = kernels.streak_side(
            image,
            centres,
            scales,
            corners.points,
            HALF_MM,
            levels.mid,
            STREAK_STEP,
            STREAK_DARK_SHARE,
            STREAK_EARLY,
        )
        if got < 0:
            return self._streak_apart(image, centres, scales, levels, corners)
        return bool(got == 1)

    def _streak_apart(
        self, image: np.ndarray, centres: np.ndarray, scales: np.ndarray, levels: Levels, corners: PageCorners
    ) -> bool:
        """`_streak` as the reader did it until front21 (its reference)."""
        half = (TARGET / 2 + WINDOW_MARGIN_MM) * scales
        lo, hi = centres[:, 0] - half, centres[:, 0] + half
        x0 = int(max(0, lo.min()))
        x1 = int(min(image.shape[1], hi.max() + 1))
        ys = corners.points[:, 1].tolist()
        y0 = int(max(0, min(ys)))
        y1 = int(min(image.shape[0], max(ys)))
        if x1 <= x0 or y1 - y0 < 10:
            return False
        return bool(
            kernels.streak_crosses(image, y0, y1, STREAK_STEP, x0, x1, levels.mid, STREAK_DARK_SHARE, lo, hi)
        )

    def _interpret(
        self,
        image: np.ndarray,
        plan: StylePlan,
        scores: Scores,
        centres: np.ndarray,
        scales: np.ndarray,
        known: dict[str, object],
    ) -> SideReading:
        layout = plan.layout
        th = self.thresholds
        marks = []
        settled: list[int] = []  # settle7: squares a positive test read `marked`
        held: list[int] = []  # stroke30: squares whose closer look's yes is only ever review
        # bands20: every band below in one compiled pass (`side_bands`; `side_bands_apart` asks
        # each band's own function, speed19's order: the darkest pass once, the doubt band,
        # pencil6's wider band, pencil7's low band, faint9, vote11, miss11, grain14, tick13,
        # rebase14, low15, edge16).
        look, wide, low, ring_line, under, never, grain_low, sunk, lifted, alone, corner = side_bands(
            image, centres, scales, scores, th.marginal
        )
        # deep29: vote11's band from deep29.DEEP_LO (a streak's windows lifted the baseline)
        deep = deep29.band(image, centres, scales, scores.scores, scores.paper, scores.gain)
        # beside35: the frame quadrants of the squares with no look, computed when first asked
        frames = beside35.Frames(
            image, centres, scales, scores.paper, scores.half, scores.ring, scores.gain, look, scores.scores
        )
        page = lines7.PageSource(  # lines7: where the sheet is (fitted only if a line is followed)
            lambda: np.array([[t.box.cx, t.box.cy] for t in layout.targets]),
            centres,
            layout.width_mm,
            layout.height_mm,
            layout,  # show43: the title side's print behind a line
        )
        # blank66: faint37 asked through this, so its noes are known; blank65 asks those again,
        # not the squares a positive empty test or the closer look settled before it
        faint = _FaintAsked(image, centres, scales, scores, layout, page)
        for i, (t, sc) in enumerate(zip(layout.targets, scores.scores.tolist(), strict=True)):
            if not look[i] and not wide[i]:
                if low[i] and cross16.low_look(  # pencil7's stroke_near, then cross16's joined strokes
                    image, centres[i], float(scales[i]), scores.paper[i], scores.gain
                ):
                    marks.append(MarkReading(t.option, sc, "marginal", "marginal_mark"))
                    continue
                # faint9: a line in the ring hid a light stroke's ink: the pencil tests once.
                if ring_line[i] and faint9.second_chance(
                    image, centres[i], float(scales[i]), scores.paper[i], scores.gain
                ):
                    marks.append(MarkReading(t.option, sc, "marginal", "marginal_mark"))
                    continue
                # vote11: a light tick scored just under the doubt band: the pencil tests once;
                # plus31: where they say no, joined strokes with a streak's flanks beside left out.
                if under[i] and (
                    vote11.just_under(image, centres[i], float(scales[i]), scores.paper[i], scores.gain)
                    or plus31.by_streak(image, centres[i], float(scales[i]), scores.paper[i], scores.gain)
                ):
                    marks.append(MarkReading(t.option, sc, "marginal", "marginal_mark"))
                    continue
                # miss11: under the wider band, no run inside for the low band: its tests once.
                gate = never[i]
                if gate is not None and miss11.never_asked(
                    image, centres[i], float(scales[i]), scores.paper[i], scores.gain, gate
                ):
                    marks.append(MarkReading(t.option, sc, "marginal", "marginal_mark"))
                    continue
                # tick13: against the emptiest window it reaches the wider band: the pencil tests, the closer look.
                if sunk[i] and tick13.asked(*_rebased(image, centres, scales, scores, i, sc, th, page)):
                    marks.append(MarkReading(t.option, sc, "marginal", "marginal_mark"))
                    continue
                # rebase14: from -0.003 up, against the emptiest window it reaches the wider band.
                if lifted[i] and rebase14.asked(*_rebased(image, centres, scales, scores, i, sc, th, page)):
                    marks.append(MarkReading(t.option, sc, "marginal", "marginal_mark"))
                    continue
                # grain14: in the low band's score range, a faint pair of strokes broken by grain;
                # low15: the side's lowest, apart under the rest (a streak lifted the others): the pencil tests;
                # edge16: a faint arm across the corner of the quadrant whose ink stands out.
                if (
                    (
                        grain_low[i]
                        and grain14.stroke_pair(
                            image, centres[i], float(scales[i]), scores.paper[i], scores.gain
                        )
                    )
                    or (
                        alone[i]
                        and pencil7.pencil_or_stroke_near(
                            image, centres[i], float(scales[i]), scores.paper[i], scores.gain
                        )
                    )
                    or (corner[i] and _corner_tick(image, centres, scales, scores, i))
                    or (
                        deep[i]
                        and deep29.asked(image, centres[i], float(scales[i]), scores.paper[i], scores.gain)
                    )
                    # beside35: ink in one quadrant of the window's frame (a tick drawn beside): the closer look
                    or (
                        frames.stands_out(i)
                        and beside35.asked(*_rebased(image, centres, scales, scores, i, sc, th, page))
                    )
                    # faint37: in the low band's score range, a faint pair or one lone arm
                    or (faint37.in_band(sc) and faint(i))
                ):
                    marks.append(MarkReading(t.option, sc, "marginal", "marginal_mark"))
                    continue
                marks.append(MarkReading(t.option, sc, "empty"))
                continue
            if not look[i] and not pencil6.WIDE_CLOSER_LOOK:
                # pencil6: the wider band's squares get the pencil test alone.
                near = pencil6.pencil_near(
                    image,
                    (float(centres[i, 0]), float(centres[i, 1])),
                    float(scales[i]),
                    float(scores.paper[i].max()),
                    scores.gain,
                ) or pencil7.wider_look(image, centres[i], float(scales[i]), scores.paper[i], scores.gain)
                near = near or fix8.small_cross(  # fix8: a small faint X (1.5 mm strokes)
                    image,
                    (float(centres[i, 0]), float(centres[i, 1])),
                    float(scales[i]),
                    float(scores.paper[i].max()),
                    scores.gain,
                )
                # faint9: a V tick or an X whose strokes meet (one run, too wide for the above)
                near = near or faint9.joined_strokes(
                    image, centres[i], float(scales[i]), scores.paper[i], scores.gain
                )
                # grain14: a faint pair of strokes that grain broke into short pieces
                near = near or grain14.stroke_pair(
                    image, centres[i], float(scales[i]), scores.paper[i], scores.gain
                )
                # edge16: a faint arm across the corner of the quadrant whose ink stands out
                near = near or (corner[i] and _corner_tick(image, centres, scales, scores, i))
                # beside35: ink in one quadrant of the window's frame (a tick drawn beside): the closer look
                near = near or (
                    frames.stands_out(i)
                    and beside35.asked(*_rebased(image, centres, scales, scores, i, sc, th, page))
                )
                # wide38: faint37's faint pair or lone arm, asked here too
                near = near or (wide38.in_band(sc, th.marginal) and faint(i))
                marks.append(
                    MarkReading(t.option, sc, "marginal", "marginal_mark")
                    if near
                    else MarkReading(t.option, sc, "empty")
                )
                continue
            # Ink in the square: look closer (a few squares per sheet).
            v = inspect_square(
                image,
                (float(centres[i, 0]), float(centres[i, 1])),
                float(scales[i]),
                scores.half,
                scores.ring,
                scores.paper[i],
                scores.gain,
                sc,
                float(scores.denominators[i]),
                th.marginal,
                th.marked,
                page,  # lines7
            )
            # wrong11 (below) and stroke30: no settle of this square's review, either way (stroke28's
            # yes is `held`: the settles would take its line for the paper's and read it `empty`)
            kept = v.held
            held.extend([i] * kept)
            # pencil70: a mark decided under `marked` meets settle7's contest guard (one vote, nothing in doubt)
            settled.extend([i] * v.settled)
            looked = v.mark  # settle7 settles only the closer look's own doubt, not a second look's
            if v.mark == "empty":
                # pencil6: a pencil stroke in or beside the square is never `empty`; a
                # square only the wider band sent here and found empty reads as before.
                v = pencil6.second_look(image, centres[i], float(scales[i]), scores.paper[i], scores.gain, v)
                v = pencil7.second_look(image, centres[i], float(scales[i]), scores.paper[i], scores.gain, v)
                v = faint9.second_look(image, centres[i], float(scales[i]), scores.paper[i], scores.gain, v)
                if v.mark == "empty" and not look[i]:
                    marks.append(MarkReading(t.option, sc, "empty"))
                    continue
                # wrong10: a square sent here by its score, read empty by every look so
                # far, gets the wider band's tests too (a faint X under a crease).
                # cross28: the wider band's last test, grain14's pair, which last_look does not ask.
                # cross55: cross28's pair again, the paper's spread measured clear of print.
                if (
                    wrong10.last_look(image, centres[i], float(scales[i]), scores.paper[i], scores.gain, v)
                    or cross28.doubt_pair(
                        image, centres[i], float(scales[i]), scores.paper[i], scores.gain, v.mark
                    )
                    or cross55.clean_pair(
                        image, centres[i], float(scales[i]), scores.paper[i], scores.gain, v.mark
                    )
                ):
                    v = replace(v, mark="marginal", reason="marginal_mark")
                # wrong11: a stroke beside a scanner's streak, taken out with the streak's band
                # (kept in review: empty8 would settle it, the streak's band hiding it again).
                kept = wrong11.stroke_by_streak(image, centres[i], float(scales[i]), v)
                # look23: a light stroke over the printed border from beside that goes on inside
                # (asked where every look so far read the square `empty`; the empty settles below
                # may still answer it, as any doubt).
                # edge24: a light tick beside whose foot ends on the printed border
                if (
                    kept
                    or look23.arm_across(image, centres[i], float(scales[i]), scores.paper[i], scores.gain, v)
                    or edge24.tick_on_border(image, centres, scales, i, scores.paper[i], scores.gain, v)
                ):
                    v = replace(v, mark="marginal", reason="marginal_mark")
            # A doubt over strokes settled positively, asked in this order: settle7 (two hand
            # strokes in the square), marks8 (a square filled by a hand, its score at least
            # `marked`), pencil9 (settle7's test outside settle7's score band). Each settled
            # square joins `settled`: settle7.settle_contest keeps it only as the contest's
            # one vote with nothing else in doubt.
            doubt = (image, centres[i], float(scales[i]), scores.paper[i], scores.gain)
            if (
                not kept
                and looked == "marginal"
                and v.mark == "marginal"
                and (
                    settle7.settles(*doubt, v, th.marginal, th.marked, scores.half)
                    or marks8.settles(*doubt, v.reason, v.score, th.marked)
                    or pencil9.settles(*doubt, v, th.marginal, th.marked, scores.half)
                    or grey48.settles(*doubt, v, th.marginal, th.marked, scores.half)
                )
                # show10: strokes lying on the title side's known print are not a hand's.
                and not show10.strokes_on_print(*doubt, layout, i, page)
                and not wrong10.hair_arm(*doubt)  # wrong10: no arm is a hair
            ):
                settled.append(i)
                v = replace(v, mark="marked", reason=None)
            # A doubt over an empty square settled by a positive test, asked in this order:
            # empty8 (nothing was drawn), stain10 (one stain's rim explains every pixel
            # inside), lines10 (empty8's question with a scanner's streak divided out).
            quiet = (*doubt, v, th.marked, scores.half, page)
            if not kept and (
                empty8.settles_empty(*quiet) or stain10.settles_empty(*quiet) or lines10.settles_empty(*quiet)
            ):
                v = replace(v, mark="empty", reason=None)
            marks.append(MarkReading(t.option, v.score, v.mark, v.reason))
        # under23: in a blank contest or one in doubt, foot16's test on those squares
        # that score under miss11's foot gate with its ink inside (a light tick lost there).
        marks = under23.unasked_strokes(
            image,
            centres,
            scales,
            scores.scores,
            scores.paper,
            scores.gain,
            marks,
            under23.unasked(look, wide, low, never, marks),
        )
        # show10: a doubt whose every dark pixel is the title side's known print: empty
        # (fix10: only under `marked`, as empty8).
        marks = show10.print_only(
            image, centres, scales, scores.paper, scores.gain, marks, layout, page, th.marked, held
        )
        # rims7: a marked square much lighter than the contest's other marked one(s).
        marks = rims7.unlike_marks(
            image, centres, scales, scores.half, scores.ring, scores.paper, scores.gain, marks
        )
        # fix8: a square read `marked` whose dark features are all hair-thin: the commission.
        marks = fix8.hairline(image, centres, scales, scores.paper, scores.gain, marks)
        # clump60: a square read `marked` whose ink is a compact blob on a hair-thin line.
        marks = clump60.clump_on_hair(image, centres, scales, scores.paper, scores.gain, marks)
        # run62: a square read `marked` whose ink is one or two dark lines running on beyond it
        # at both ends (a hair, a thread): the commission (`crossing_line`).
        marks = run62.crossing(image, centres, scales, scores.paper, scores.gain, marks)
        # dot63: a square read `marked` whose dark ink is a lone dot (a dust clump, a
        # hesitation dot): the commission (`marginal_mark`).
        marks = dot63.lone_dot(image, centres, scales, scores.paper, scores.gain, marks)
        # wrong10: a square read `marked` whose detail is a fingertip's ridge spacing.
        # speed68: the two share one sheet's measures (one kernel call and spectrum a square).
        ridges: wrong10.RidgeMemo = {}
        marks = wrong10.ridged_print(image, centres, scales, scores.paper, scores.gain, marks, ridges)
        # ridge52: the same ridges over the print's own body (no floor under their share of the ink).
        marks = ridge52.ridged_body(image, centres, scales, scores.paper, scores.gain, marks, ridges)
        # erase9: a grey square with an eraser's smear round it or a ghost under a patch.
        marks = erase9.possible_erasure(image, centres, scales, marks)
        # dark49: a square read `marked` that a dark stain's body covers, running on beyond it.
        marks = dark49.stain_body(image, centres, scales, marks)
        # fill50: a square read `empty` holding an even fill that stops at its border, where
        # something dark beside it lowered its window's paper.
        marks = fill50.light_fill(image, centres, scales, scores.paper, scores.scores, marks)
        # pencil10: certain settled marks beside other clear marks are an overvote.
        settled = pencil10.overvote_kept(
            image, centres, scales, scores.paper, scores.gain, scores.half, marks, settled, th
        )
        # pencil11: pencil10's overvote where no title-side print is near any marked square.
        settled = pencil11.overvote_kept(
            image, centres, scales, scores.paper, scores.gain, scores.half, marks, settled, th, layout
        )
        marks = settle7.settle_contest(marks, settled)  # settle7: one vote, or review
        # blank65: a contest about to read blank asks its faint squares again, on lower floors
        marks = blank65.faint_in_blank(
            image, centres, scales, scores.paper, scores.gain, layout, page, th.marginal, marks, faint.no
        )
        outcome, choice = contest_outcome(tuple(marks))
        contest = ContestReading(layout.contest, outcome, choice, tuple(marks))
        status: Literal["ok", "review"] = "review" if outcome == "review" else "ok"
        reasons: tuple[ReviewReason, ...] = ()
        if status == "review":
            reasons = tuple(sorted({m.reason or "marginal_mark" for m in marks if m.mark == "marginal"}))
        reading = SideReading(status, None, contests=(contest,), review_reasons=reasons, **known)  # type: ignore[arg-type]
        if self.keep_crops == "always" or (self.keep_crops == "review" and status == "review"):
            reading = replace(reading, crops=review_crops(image, layout, centres, scales))
        return reading


class _FaintAsked:
    """faint37.asked of a square of this side, as the loop asks it, each no remembered in `no`
    (blank66: blank65 asks only those again)."""

    def __init__(
        self,
        image: np.ndarray,
        centres: np.ndarray,
        scales: np.ndarray,
        scores: Scores,
        layout: BallotLayout,
        page: lines7.PageSource,
    ) -> None:
        self.image, self.centres, self.scales, self.scores = image, centres, scales, scores
        self.layout, self.page = layout, page
        self.no = np.zeros(len(layout.targets), dtype=bool)

    def __call__(self, i: int) -> bool:
        s = self.scores
        yes = faint37.asked(
            self.image, self.centres[i], float(self.scales[i]), s.paper[i], s.gain, self.layout, i, self.page
        )
        self.no[i] = not yes
        return yes


class Bands(NamedTuple):
    """The bands `_interpret` asks before its loop, one entry per square (truthy: in it)."""

    look: Sequence[bool]  # the doubt band (`doubt_band`): the closer look
    wide: Sequence[bool]  # pencil6.wider_band
    low: Sequence[bool]  # pencil7.low_band
    ring_line: Sequence[bool]  # faint9.ring_lines
    under: Sequence[bool]  # vote11.band
    never: Sequence[str | None]  # miss11.band: "short", "foot" or None
    grain_low: Sequence[bool]  # grain14.low_band
    sunk: Sequence[bool]  # tick13.band
    lifted: Sequence[bool]  # rebase14.band
    alone: Sequence[bool]  # low15.band
    corner: Sequence[bool]  # edge16.band


def side_bands_apart(
    image: np.ndarray, centres: np.ndarray, scales: np.ndarray, scores: Scores, marginal: float
) -> Bands:
    """The bands, each by its own function (speed19's `_interpret`): `side_bands`' reference,
    and its path when a band function is not the reader's own (a test's spy) or a score or
    side level is not finite."""
    # speed19: the insides' darkest pixels, one compiled pass for the doubt band, vote11 and miss11
    darkest = kernels.darkest_inside(image, centres, scales, _INNER_MM)
    look_a = doubt_band(image, centres, scales, scores, marginal, darkest)
    wide_a = pencil6.wider_band(scores.scores, marginal)  # pencil6
    # pencil7: squares under the wider band with a faint box-mean stroke inside.
    low_a = pencil7.low_band(
        image, centres, scales, scores.scores, scores.paper, scores.gain, ~(look_a | wide_a)
    )
    look, wide, low = look_a.tolist(), wide_a.tolist(), low_a.tolist()
    ring_line = faint9.ring_lines(scores.paper)  # faint9: a line on a side of the ring
    # vote11: just under the doubt band with a faint-dark pixel inside
    under = vote11.band(image, centres, scales, scores.scores, scores.paper, scores.gain, darkest)
    never = miss11.band(  # miss11: under the wider band, never asked
        image,
        centres,
        scales,
        scores.scores,
        scores.paper,
        scores.gain,
        ~(look_a | wide_a) & ~np.asarray(low),
        darkest,
    )
    grain_low = grain14.low_band(scores.scores, look_a | wide_a)  # grain14
    sunk = tick13.band(scores.scores)  # tick13: under zero against a baseline on marked squares
    lifted = rebase14.band(scores.scores)  # rebase14: -0.003 up to the wider band, on a sunk side
    alone = low15.band(scores.scores)  # low15: the side's lowest, standing apart under the rest
    # edge16: no look, from 0.008 up to marginal, the corner gate could pass (edge18: one compiled call)
    corner = edge16.band(
        image,
        centres,
        scales,
        scores.scores,
        scores.paper,
        scores.gain,
        scores.half,
        scores.ring,
        marginal,
        look_a,
    )
    return Bands(look, wide, low, ring_line, under, never, grain_low, sunk, lifted, alone, corner)


def _band_functions() -> tuple[object, ...]:
    return (
        doubt_band,
        kernels.darkest_inside,
        pencil6.wider_band,
        pencil7.low_band,
        faint9.ring_lines,
        vote11.band,
        miss11.band,
        grain14.low_band,
        tick13.band,
        rebase14.band,
        low15.band,
        edge16.band,
    )


def band_params(marginal: float, gain: float) -> np.ndarray:
    """`kernels.side_bands`' params: the constants each band reads, from its module now (so
    a switched-off hook, `fieldkit.hook_ab.switched_off`, or a test's constant holds)."""
    from kiosk.reading import inspect as inspect_module

    p = inspect_module
    return np.array(
        [
            marginal,
            gain,
            DOUBT_INK,
            PEN_DOUBT_LO,
            DOUBT_LO,
            FAINT_CONTRAST,
            _INNER_MM,
            FAINT_REACH_MM,
            FAINT_RUN_MM,
            PENCIL_LO,
            PENCIL_CONTRAST,
            _INNER_MM - PENCIL_INSET_MM,
            PENCIL_REACH_MM,
            PENCIL_RUN_MM,
            PENCIL_SMOOTH_MM,
            pencil6.LOOK_FROM,
            pencil7.ENABLED,
            pencil7.LOW_FROM,
            TARGET / 2 - TARGET_STROKE - 0.35 - p.PENCIL_INSET_MM,  # pencil7.low_band's inside
            pencil7.LOW_CONTRAST,
            pencil7.LOW_RUN_MM,
            faint9.ENABLED,
            faint9.SIDE_SHARE,
            vote11.ENABLED,
            vote11.NEAR_LO,
            vote11.FAINT_GATE,
            miss11.ENABLED,
            miss11.LO,
            _INNER_MM - p.PENCIL_INSET_MM,  # miss11.band's inside
            miss11.SHORT_RUN_MM,
            miss11.FOOT_FROM,
            miss11.FOOT_INK,
            grain14.ENABLED and grain14.LOW_BAND,
            grain14.LOW_FROM,
            tick13.ENABLED,
            tick13.REBASED_FROM,
            rebase14.ENABLED,
            rebase14.SHIFT_FROM,
            rebase14.REBASED_FROM,
            low15.ENABLED,
            low15.GAP,
            edge16.ENABLED,
            edge16.LO,
            edge16.INNER_MM,
            edge16.QUAD_MIN,
            edge16.TOL_ULPS,
        ],
        np.float64,
    )


def side_bands(
    image: np.ndarray, centres: np.ndarray, scales: np.ndarray, scores: Scores, marginal: float
) -> Bands:
    """bands20: the bands of `side_bands_apart` in one compiled call (`kernels.side_bands`),
    the same answers (tests/test_bands20.py). A band function replaced (a test's spy) or a
    score or side level not finite: `side_bands_apart`."""
    if _band_functions() == _OWN_BANDS:
        rows = kernels.side_bands(
            image,
            centres,
            scales,
            scores.scores,
            scores.paper,
            scores.half,
            scores.ring,
            band_params(marginal, scores.gain),
        )
        if rows.shape[0]:
            look, wide, low, ring_line, under, short, foot, grain_low, sunk, lifted, alone, corner = (
                rows.tolist()
            )
            never = ["short" if s else "foot" if f else None for s, f in zip(short, foot, strict=True)]
            return Bands(look, wide, low, ring_line, under, never, grain_low, sunk, lifted, alone, corner)
    return side_bands_apart(image, centres, scales, scores, marginal)


# The doubt band: a square scoring from DOUBT_LO up to `marginal` is looked at closer when
# it holds a pen-dark pixel (a hesitation dot scores 0.005-0.018: below `marginal`).
DOUBT_LO = 0.0
DOUBT_INK = 0.45
# ... or a faint stroke: a run of pixels FAINT_CONTRAST darker than the paper
# FAINT_REACH_MM to both sides (across or down), its box at least FAINT_RUN_MM long
# (light pencil scores 0.005-0.018 and is not pen-dark).
FAINT_CONTRAST = 0.09
FAINT_REACH_MM = 1.0
FAINT_RUN_MM = 2.0
# ... or fainter pencil (issue 10, pass 5): the same stroke test with every pixel the mean
# of its box (`inspect.PENCIL_SMOOTH_MM`: graphite's grain and JPEG noise averaged out) at
# `inspect.PENCIL_CONTRAST`, for squares scoring from PENCIL_LO (a light pencil tick or
# slash of 0.05 contrast scores about 0.006; on a clean sheet 0.4 of 8 squares pass) with
# some pixel that dark,
# `inspect.PENCIL_INSET_MM` further in than the inside (the border's blur and ringing).
PENCIL_LO = 0.003
_INNER_MM = TARGET / 2 - TARGET_STROKE - 0.35


def doubt_band(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    scores: Scores,
    marginal: float,
    darkest: np.ndarray | None = None,
) -> np.ndarray:
    """Which squares get the closer look: those scoring at least `marginal`, and those
    scoring from DOUBT_LO up to `marginal` whose inside (0.35 mm in from the printed
    border) holds a pixel at least DOUBT_INK dark against the lightest side of the
    window's ring. One compiled pass over the insides (`kernels.darkest_inside`) and a
    few array operations per side: what a clean sheet pays for the doubt band.
    `reference.dark_inside_reference` is the per-square test it replaces. `darkest`: that
    pass's answer when the caller has it (speed19: `_interpret` makes it once for this,
    vote11 and miss11)."""
    sc = scores.scores
    if darkest is None:
        darkest = kernels.darkest_inside(image, centres, scales, _INNER_MM)
    paper = np.maximum(1.0, scores.paper.max(axis=1))
    ink = scores.gain * (1.0 - darkest / paper)
    dark = (darkest >= 0) & (ink >= DOUBT_INK)
    out: np.ndarray = ~(sc < marginal) | ((sc >= PEN_DOUBT_LO) & dark)  # line6: any score
    # Light pencil (issue 10, pass 4): not pen-dark, so look for a faint stroke instead,
    # only where some pixel is at least that faint stroke's contrast dark at all.
    want = ~out & (sc >= DOUBT_LO) & (darkest >= 0) & (ink >= FAINT_CONTRAST)
    if want.any():
        out = out | kernels.faint_runs(
            image,
            centres,
            scales,
            want,
            paper,
            scores.gain,
            _INNER_MM,
            FAINT_REACH_MM,
            FAINT_CONTRAST,
            FAINT_RUN_MM,
        )
    want = ~out & (sc >= PENCIL_LO) & (darkest >= 0) & (ink >= PENCIL_CONTRAST)
    if want.any():
        out = out | kernels.faint_runs(
            image,
            centres,
            scales,
            want,
            paper,
            scores.gain,
            _INNER_MM - PENCIL_INSET_MM,
            PENCIL_REACH_MM,
            PENCIL_CONTRAST,
            PENCIL_RUN_MM,
            PENCIL_SMOOTH_MM,
        )
    return out


_OWN_BANDS = _band_functions()  # the reader's own band functions (see `side_bands`)


def _frame(corners: PageCorners, height_mm: float) -> tuple[np.ndarray, Box]:
    """Page-to-image homography for a page this long, and where its QR code is.

    front21: `page_to_image` with the page's fiducials already in float32 and the QR box
    made once per page length (`_frame_parts`): the same arrays go to OpenCV, the same
    (frozen) box comes back; `_frame_apart` is the old call (tests/test_front21.py)."""
    fiducials32, qr = _frame_parts(height_mm)
    h: np.ndarray = np.asarray(
        cv2.getPerspectiveTransform(fiducials32, corners.points.astype(np.float32)), dtype=np.float64
    )
    return h, qr


@lru_cache(maxsize=32)
def _frame_parts(height_mm: float) -> tuple[np.ndarray, Box]:
    """The fiducial centres of a page this long as float32 (private: never written), and
    its QR box."""
    return fiducial_centres(height_mm).astype(np.float32), qr_box_for_height(height_mm)


def _frame_apart(corners: PageCorners, height_mm: float) -> tuple[np.ndarray, Box]:
    """`_frame` as it was until front21 (its reference)."""
    return page_to_image(corners, fiducial_centres(height_mm)), qr_box_for_height(height_mm)


@lru_cache(maxsize=32)
def fiducial_centres(height_mm: float) -> np.ndarray:
    """The four fiducial centres of a page this long, page order, mm (read-only)."""
    centres = np.array([[b.cx, b.cy] for b in fiducials_for_height(height_mm)])
    centres.setflags(write=False)
    return centres


# --- timing marks ------------------------------------------------------------------------------


def timing_mark_window(px_per_mm: float) -> tuple[int, int, float]:
    """Half-width and half-height of the window around a predicted timing mark, and a
    mark's expected ink in pixels."""
    rx = int((TIMING_W / 2 + 1.5) * px_per_mm)
    ry = int((TIMING_H / 2 + 1.8) * px_per_mm)
    return rx, ry, TIMING_W * TIMING_H * px_per_mm * px_per_mm


def fill_missing_marks(predicted: np.ndarray, refined: np.ndarray) -> None:
    """Where a mark is missing (ink over it, a tear), use the corner homography shifted by
    the nearest rows' residuals on the same side. In place; (2 * rows, 2) arrays."""
    pred = predicted.reshape(-1, 2, 2)
    ref = refined.reshape(-1, 2, 2)
    found = ~np.isnan(ref[:, :, 0])
    residual = np.where(found[:, :, None], ref - pred, np.nan)
    for i in np.nonzero(~found.all(axis=1))[0]:
        for side in (0, 1):
            if not found[i, side]:
                good = np.nonzero(found[:, side])[0]
                near = good[np.argsort(np.abs(good - i))[:2]]
                ref[i, side] = pred[i, side] + np.nanmean(residual[near, side], axis=0)


def row_geometry_numpy(
    refined: np.ndarray, target_t: np.ndarray, target_dy: np.ndarray, any_dy: bool, span_mm: float
) -> tuple[np.ndarray, np.ndarray]:
    """`kernels.row_geometry` in numpy."""
    marks = refined.reshape(-1, 2, 2)
    left, right = marks[:, 0], marks[:, 1]
    vec = right - left
    centres = left + target_t[:, None] * vec
    lengths = np.sqrt(np.add.reduce(vec * vec, axis=1))
    scales = lengths / span_mm
    if any_dy:
        normal = np.stack([-vec[:, 1], vec[:, 0]], axis=1) / lengths[:, None]
        centres = centres + normal * (target_dy * scales)[:, None]
    return centres, scales


# --- scoring -------------------------------------------------------------------------------------


_GREYS = np.arange(256, dtype=np.float64)
_GREYS.setflags(write=False)


def ink_lut(levels: Levels) -> np.ndarray:
    """Ink of a grey level: 0 on paper, 1 at the fiducials' black."""
    ink = (levels.paper - _GREYS) / max(1.0, levels.paper - levels.black)
    return np.minimum(np.maximum(ink, 0.0), 1.0)


RING_MM = 0.5  # the outer band of each window that gives the local paper level


@dataclass(frozen=True)
class Scores:
    """The fast scores of one side's squares and what the closer look needs."""

    scores: np.ndarray  # (n,) ink added in each square, share of its inside
    paper: np.ndarray  # (n, 4) paper level on each side of each window: top, bottom, left, right
    half: int  # window half-size, px
    ring: int  # px
    gain: float  # ink of the fiducials' black
    denominators: np.ndarray  # (n,) each square's inside, px


def _corner_tick(image: np.ndarray, centres: np.ndarray, scales: np.ndarray, scores: Scores, i: int) -> bool:
    """edge16's corner test of square i (`_interpret` asks it in two places)."""
    return edge16.corner_tick(
        image, centres[i], float(scales[i]), scores.paper[i], scores.gain, scores.half, scores.ring
    )


def _rebased(
    image: np.ndarray,
    centres: np.ndarray,
    scales: np.ndarray,
    scores: Scores,
    i: int,
    sc: float,
    th: Thresholds,
    page: lines7.PageSource,
) -> tuple[
    np.ndarray, np.ndarray, float, np.ndarray, float, float, int, int, float, float, float, lines7.PageSource
]:
    """Square i's arguments for a test given its score against the side's emptiest window
    (tick13.asked, rebase14.asked, beside35.asked)."""
    return (
        image,
        centres[i],
        float(scales[i]),
        scores.paper[i],
        scores.gain,
        sc - float(scores.scores.min()),
        scores.half,
        scores.ring,
        float(scores.denominators[i]),
        th.marginal,
        th.marked,
        page,
    )


def window_geometry(scales: np.ndarray) -> tuple[int, int, float]:
    """The windows share one size (they only need to hold the square and its margin)."""
    median = statistics.median(scales.tolist())
    return round((TARGET / 2 + WINDOW_MARGIN_MM) * median), max(1, round(RING_MM * median)), median


def ink_gain(levels: Levels) -> float:
    """Ink is the share of light taken away, scaled so that the fiducials' black is 1."""
    return 1.0 / max(0.05, 1.0 - levels.black / max(1.0, levels.paper))


def score_squares(
    image: np.ndarray, centres: np.ndarray, scales: np.ndarray, levels: Levels, interior_mm2: float
) -> Scores:
    """Ink added in each square beyond what an empty square of this sheet carries, as a
    share of the square's inside; ink against the paper around each window.

    front21: one compiled call (`kernels.score_side`), the same numbers to the bit as
    `score_squares_apart`, which is kept as its reference and is the path where a scale or
    a sum is not finite."""
    gain = ink_gain(levels)
    half, ring, scores, paper, denominators, _, apart = kernels.score_side(
        image, centres, scales, HALF_MM, RING_MM, gain, interior_mm2
    )
    if apart:
        return score_squares_apart(image, centres, scales, levels, interior_mm2)
    return Scores(scores, paper, half, ring, gain, denominators)


def score_squares_apart(
    image: np.ndarray, centres: np.ndarray, scales: np.ndarray, levels: Levels, interior_mm2: float
) -> Scores:
    """`score_squares` as the reader did it until front21 (its reference)."""
    half, ring, _ = window_geometry(scales)
    gain = ink_gain(levels)
    sums, paper = kernels.window_local_ink(image, centres, half, ring, gain)
    denominators = interior_mm2 * scales * scales
    return Scores(_scores_from_sums(sums, scales, interior_mm2), paper, half, ring, gain, denominators)


def lower_quartile(values: list[float]) -> float:
    """np.percentile(values, 25) (linear interpolation), without its overhead on a few dozen values."""
    s = sorted(values)
    pos = 0.25 * (len(s) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (pos - lo) * (s[hi] - s[lo])


def _scores_from_sums(sums: np.ndarray, scales: np.ndarray, interior_mm2: float) -> np.ndarray:
    # Most squares on a sheet are empty: the lower quartile is an empty square's ink
    # (its printed border plus this scan's noise and shading).
    baseline = lower_quartile(sums.tolist())
    scores: np.ndarray = (sums - baseline) / (interior_mm2 * scales * scales)
    return scores


def review_crops(
    image: np.ndarray, layout: BallotLayout, centres: np.ndarray, scales: np.ndarray
) -> tuple[Crop, ...]:
    crops = []
    hh, ww = image.shape
    for t, (cx, cy), s in zip(layout.targets, centres, scales, strict=True):
        r = (TARGET / 2 + 2.5) * s
        sq = image[max(0, int(cy - r)) : int(cy + r), max(0, int(cx - r)) : int(cx + r)].copy()
        crops.append(Crop(t.option, "square", sq))
        left = cx - (t.box.cx - TEXT_X + 6) * s
        row_h = layout.row_height_mm * s / 2
        row = image[
            max(0, int(cy - row_h)) : min(hh, int(cy + row_h)), max(0, int(left)) : min(ww, int(cx + r))
        ].copy()
        crops.append(Crop(t.option, "row", row))
    return tuple(crops)
