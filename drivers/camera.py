"""Document camera: OpenCV VideoCapture, `camera:///dev/video0` (V4L2), or recorded frames
`camera:///path/frame-%04d.jpg` (cv2.CAP_IMAGES) or a video file, for tests.

It waits for a still sheet (the page fills part of the view and consecutive frames agree),
captures one frame, flattens the page to an upright rectangle at 200 dpi (the page's four
corners, a perspective warp), and then waits for the page to go before arming again. One
capture is one side: the commission member lays the marked side up (`sides=2` asks for both,
one after the other). The camera holds no sheet: after a refusal the member gives it back.

    camera:///dev/video0?still=5&wait=30&width_mm=148&dpi=200&sides=1
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlparse

import cv2
import numpy as np

from drivers.base import Capabilities, PassThroughScanner, ScannerStatus
from kiosk.errors import SanaqError
from kiosk.station.ports import FedSheet

log = logging.getLogger("sanaq.drivers.camera")

PREVIEW_WIDTH = 200  # enough to see motion and the page
CORNER_WIDTH = 800  # page corners to within a few frame pixels


@dataclass(frozen=True)
class StillPolicy:
    frames: int = 5  # consecutive agreeing frames make a still sheet
    max_diff: float = 2.5  # mean absolute grey difference between preview frames
    min_page: float = 0.12  # the page covers at least this share of the view...
    max_page: float = 0.97  # ...and not all of it (no page: a blank view)
    gone_page: float = 0.05  # the page has gone when less than this is bright


def _preview(frame: np.ndarray, width: int = PREVIEW_WIDTH) -> np.ndarray:
    grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    h, w = grey.shape
    small = cv2.resize(grey, (width, max(1, h * width // w)), interpolation=cv2.INTER_AREA)
    return cv2.GaussianBlur(small, (3, 3), 0)


def _page_share(preview: np.ndarray) -> float:
    # Paper is the bright thing on the (darker) table; Otsu separates the two.
    _, mask = cv2.threshold(preview, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if preview.std() < 8:  # one flat tone: no page edge at all
        return 0.0 if preview.mean() < 128 else 1.0
    return float(np.count_nonzero(mask)) / mask.size


def page_corners(frame: np.ndarray) -> np.ndarray | None:
    """The page's four corners in frame pixels (tl, tr, br, bl of an upright page), or None."""
    preview = _preview(frame, CORNER_WIDTH)
    scale = frame.shape[1] / preview.shape[1]
    _, mask = cv2.threshold(preview, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    page = max(contours, key=cv2.contourArea)
    if cv2.contourArea(page) < 0.05 * mask.size:
        return None
    quad = cv2.approxPolyDP(page, 0.02 * cv2.arcLength(page, True), True).reshape(-1, 2)
    if len(quad) != 4:
        quad = cv2.boxPoints(cv2.minAreaRect(page))
    pts = quad.astype(np.float32) * scale
    # Order: top-left has the smallest x+y, bottom-right the largest; then the other two.
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    tl, br, tr, bl = pts[np.argmin(s)], pts[np.argmax(s)], pts[np.argmin(d)], pts[np.argmax(d)]
    ordered = np.array([tl, tr, br, bl], np.float32)
    if np.linalg.norm(tr - tl) > np.linalg.norm(bl - tl):
        ordered = np.roll(ordered, -1, axis=0)  # a page lying sideways: keep it portrait
    return ordered


def flatten(frame: np.ndarray, width_mm: float = 148.0, dpi: int = 200) -> np.ndarray | None:
    corners = page_corners(frame)
    if corners is None:
        return None
    tl, tr, br, bl = corners
    width_px = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height_px = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    out_w = round(width_mm / 25.4 * dpi)
    out_h = round(out_w * height_px / width_px)
    target = np.array([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], np.float32)
    grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    warp = cv2.getPerspectiveTransform(corners, target)
    return cv2.warpPerspective(grey, warp, (out_w, out_h), flags=cv2.INTER_AREA, borderValue=255)


class StillSheetDetector:
    """Frames in, 'capture this one' out: a pure state machine (tests give it frames)."""

    def __init__(self, policy: StillPolicy = StillPolicy()) -> None:
        self.policy = policy
        self.previous: np.ndarray | None = None
        self.still = 0
        self.armed = True  # False after a capture, until the page has gone

    def offer(self, frame: np.ndarray) -> bool:
        preview = _preview(frame)
        share = _page_share(preview)
        diff = 255.0 if self.previous is None else float(cv2.absdiff(preview, self.previous).mean())
        self.previous = preview
        if not self.armed:
            if share < self.policy.gone_page:
                self.armed = True
            self.still = 0
            return False
        present = self.policy.min_page <= share <= self.policy.max_page
        self.still = self.still + 1 if present and diff <= self.policy.max_diff else 0
        if self.still >= self.policy.frames:
            self.armed, self.still = False, 0
            return True
        return False


class CameraScanner(PassThroughScanner):
    capabilities = Capabilities(duplex=False)
    handle_prefix = "camera"
    return_event = "camera_give_sheet_back"  # it lies under the camera

    def __init__(
        self,
        source: str,
        policy: StillPolicy = StillPolicy(),
        wait: float = 30.0,
        width_mm: float = 148.0,
        dpi: int = 200,
        sides: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.source = source
        self.url = f"camera://{source}"
        self.policy = policy
        self.wait = wait
        self.width_mm = width_mm
        self.dpi = dpi
        self.sides = sides
        self.clock = clock
        self.recorded = not source.startswith("/dev/")
        # Recorded frames (a video file, an image sequence) are a replay, not paper in front
        # of the camera: refused for official counting without the development switch.
        self.simulated = self.recorded
        self._cap: cv2.VideoCapture | None = None
        self._detector = StillSheetDetector(policy)
        self.frames_seen = 0

    @classmethod
    def from_url(cls, url: str) -> CameraScanner:
        parsed = urlparse(url)
        if not parsed.path:
            raise SanaqError("scanner_url_invalid", url)
        q = dict(parse_qsl(parsed.query))
        return cls(
            parsed.path,
            StillPolicy(frames=int(q.get("still", "5"))),
            wait=float(q.get("wait", "30")),
            width_mm=float(q.get("width_mm", "148")),
            dpi=int(q.get("dpi", "200")),
            sides=int(q.get("sides", "1")),
        )

    def open(self) -> None:
        if self.recorded and "%" in self.source:
            cap = cv2.VideoCapture(self.source, cv2.CAP_IMAGES)
        elif self.recorded:
            cap = cv2.VideoCapture(self.source)
        else:
            cap = cv2.VideoCapture(self.source, cv2.CAP_V4L2)
        if not cap.isOpened():
            raise SanaqError("scanner_unavailable", f"camera {self.source}")
        self._cap = cap
        super().open()

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
        super().close()

    def _capture_side(self) -> np.ndarray | None:
        """The next still page, flattened; None when a recording ends."""
        assert self._cap is not None
        deadline = self.clock() + self.wait
        while True:
            ok, frame = self._cap.read()
            if not ok:
                if self.recorded:
                    return None
                self.close()
                raise SanaqError("scanner_disconnected", f"camera {self.source}")
            self.frames_seen += 1
            if self._detector.offer(frame):
                page = flatten(frame, self.width_mm, self.dpi)
                if page is not None:
                    return page
                self._detector.armed = True  # not a page after all: keep looking
            if not self.recorded and self.clock() > deadline:
                raise SanaqError("camera_no_still_page")

    def feed(self) -> Iterator[FedSheet]:
        if self._cap is None:
            self.open()
        while True:
            sides = []
            for _ in range(self.sides):
                page = self._capture_side()
                if page is None:
                    return
                ok, data = cv2.imencode(".png", page)
                if not ok:
                    raise SanaqError("scanner_io_error", "could not encode a camera page")
                sides.append(data.tobytes())
            handle = self._new_handle()
            yield FedSheet(handle, tuple(sides), {"device": self.source, "dpi": str(self.dpi)})

    def status(self) -> ScannerStatus:
        return ScannerStatus("idle" if self._cap is not None else "offline", model=f"camera {self.source}")
