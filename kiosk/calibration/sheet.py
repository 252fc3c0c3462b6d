"""The calibration sheet: what the project prints to measure a scanner.

A5 portrait (the ballot's width and shortest length), drawn with the ballots' own primitives
and renderers, so the fiducials are exactly the ballots' (same size, same place, found by the
same `kiosk.reading.locate.find_fiducials`). Everything is in millimetres from the top-left
corner of the page:

- a 10 mm grid (scale on each axis, feed regularity, dpi from the pitch);
- 12 grey patches from white to black in equal steps of the printed grey value (white and
  black levels, the grey-step response);
- line-pair groups at 0.5 to 3 line pairs per mm, vertical and horizontal (the resolution the
  scanner actually delivers, on each axis);
- a blank band across the whole width (illumination, streaks, dust);
- a QR code "SQCAL:V1:A" (side A; "B" on the second page, for the duplex scanner's other
  sensor) so that a station recognises the sheet and its version.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from fpdf import FPDF
from PIL import Image, ImageDraw

from kiosk.ballots.layout import (
    FIDUCIAL,
    Box,
    Line,
    Primitive,
    QrCode,
    Rect,
    SideLayout,
    TextRun,
    fiducials_for_height,
    font_path,
    qr_box_for_height,
)
from kiosk.ballots.render import PDF_DATE, _draw_side, _pdf_side
from kiosk.election.model import BALLOT_WIDTH_MM, MIN_BALLOT_LENGTH_MM

SHEET_VERSION = 1
QR_PREFIX = "SQCAL"
WIDTH_MM = BALLOT_WIDTH_MM  # 148
HEIGHT_MM = MIN_BALLOT_LENGTH_MM  # 210
SIDES = ("A", "B")

# The grid: lines every GRID_PITCH mm over this area.
GRID_PITCH = 10.0
GRID_X0, GRID_X1 = 14.0, 134.0
GRID_Y0, GRID_Y1 = 22.0, 102.0
GRID_LINE = 0.3
# Grey patches: GREY_STEPS patches GREY_W x GREY_H, left to right from white to black.
GREY_STEPS = 12
GREY_X0, GREY_Y0, GREY_W, GREY_H = 14.0, 108.0, 10.0, 14.0
# Line-pair groups (line pairs per mm), vertical bars (x resolution) then horizontal bars.
BAR_FREQUENCIES = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
BAR_GROUP, BAR_GAP = 12.0, 8.0
BAR_X0 = 14.0
VBAR_Y0 = 128.0  # vertical bars: y 128..140
HBAR_Y0 = 146.0  # horizontal bars: y 146..158
# Blank paper, the whole width: illumination, streaks, dust.
BLANK_Y0, BLANK_Y1 = 166.0, 186.0


def qr_payload(side: str, version: int = SHEET_VERSION) -> str:
    return f"{QR_PREFIX}:V{version}:{side}"


@dataclass(frozen=True)
class SheetInfo:
    version: int
    side: str


def parse_payload(text: str) -> SheetInfo | None:
    parts = text.split(":")
    if len(parts) != 3 or parts[0] != QR_PREFIX or not parts[1].startswith("V") or parts[2] not in SIDES:
        return None
    try:
        return SheetInfo(int(parts[1][1:]), parts[2])
    except ValueError:
        return None


def grey_values() -> tuple[int, ...]:
    """The printed grey value of each patch (sRGB 0-255), white to black in equal steps."""
    return tuple(round(255 * (1 - k / (GREY_STEPS - 1))) for k in range(GREY_STEPS))


def nominal_reflectance(value: int) -> float:
    """The reflectance a patch of this sRGB grey value is meant to have (relative to the paper)."""
    c = value / 255
    return c / 12.92 if c <= 0.04045 else float(((c + 0.055) / 1.055) ** 2.4)


def grey_patch(k: int) -> Box:
    return Box(GREY_X0 + k * GREY_W, GREY_Y0, GREY_W, GREY_H)


def bar_group(k: int, vertical: bool) -> Box:
    return Box(BAR_X0 + k * (BAR_GROUP + BAR_GAP), VBAR_Y0 if vertical else HBAR_Y0, BAR_GROUP, BAR_GROUP)


def grid_xs() -> np.ndarray:
    return np.arange(GRID_X0, GRID_X1 + 0.01, GRID_PITCH)


def grid_ys() -> np.ndarray:
    return np.arange(GRID_Y0, GRID_Y1 + 0.01, GRID_PITCH)


def fiducials() -> tuple[Box, Box, Box, Box]:
    return fiducials_for_height(HEIGHT_MM)


def _bars(out: list[Primitive], box: Box, frequency: float, vertical: bool) -> None:
    period = 1.0 / frequency
    n = int(BAR_GROUP / period + 1e-9)
    for i in range(n):
        start = i * period
        if vertical:
            out.append(Rect(Box(box.x + start, box.y, period / 2, box.h), fill="#000000"))
        else:
            out.append(Rect(Box(box.x, box.y + start, box.w, period / 2), fill="#000000"))


def sheet_side(side: str = "A", version: int = SHEET_VERSION) -> SideLayout:
    """One side of the calibration sheet as the ballots' drawing primitives."""
    fids = fiducials()
    out: list[Primitive] = [Rect(f, fill="#000000") for f in fids]
    x0 = 4.0 + FIDUCIAL + 3.0
    out.append(TextRun(x0, 9.0, 8, f"SANAQ · калибрлеу парағы / калибровочный лист v{version}", True))
    out.append(TextRun(x0, 14.0, 6, f"scanner calibration sheet v{version} · side {side} · print at 100 %"))
    for x in grid_xs():
        out.append(Line(float(x), GRID_Y0, float(x), GRID_Y1, GRID_LINE))
    for y in grid_ys():
        out.append(Line(GRID_X0, float(y), GRID_X1, float(y), GRID_LINE))
    for k, v in enumerate(grey_values()):
        if v < 255:
            out.append(Rect(grey_patch(k), fill=f"#{v:02x}{v:02x}{v:02x}"))
    for k, f in enumerate(BAR_FREQUENCIES):
        _bars(out, bar_group(k, True), f, True)
        _bars(out, bar_group(k, False), f, False)
        label = f"{f:g}"
        out.append(TextRun(bar_group(k, True).cx, VBAR_Y0 + BAR_GROUP + 3.5, 5.5, label, align="center"))
        out.append(TextRun(bar_group(k, False).cx, HBAR_Y0 + BAR_GROUP + 3.5, 5.5, label, align="center"))
    out.append(TextRun(GREY_X0, GREY_Y0 + GREY_H + 3.0, 5.5, "0 % … 100 %  ·  lp/mm:"))
    qr = qr_box_for_height(HEIGHT_MM)
    payload = qr_payload(side, version)
    out.append(QrCode(qr, payload))
    fx = qr.x + qr.w + 3.0
    out.append(TextRun(fx, qr.y + 5.0, 7, f"{payload}", True))
    out.append(TextRun(fx, qr.y + 9.0, 5.5, "sanaq calibrate scanner --source URL"))
    out.append(TextRun(fx, qr.y + 12.5, 5.5, "Do not write on this sheet, keep it flat and clean."))
    return SideLayout("back", payload, qr, fids, tuple(out))


def render_image(side: str = "A", dpi: int = 200) -> Image.Image:
    """The side as a grey image at `dpi`, as a perfect scanner would see a perfect print."""
    s = dpi / 25.4
    image = Image.new("RGB", (round(WIDTH_MM * s), round(HEIGHT_MM * s)), (255, 255, 255))
    _draw_side(ImageDraw.Draw(image), sheet_side(side), s)
    return image.convert("L")


def render_grey(side: str = "A", dpi: int = 200) -> np.ndarray:
    return np.asarray(render_image(side, dpi))


def render_pdf(version: int = SHEET_VERSION) -> bytes:
    """Two pages, side A and side B, to be printed duplex at 100 % on A5 (or A4, cut)."""
    pdf = FPDF(unit="mm", format=(WIDTH_MM, HEIGHT_MM))
    pdf.set_creation_date(PDF_DATE)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font("DejaVu", "", font_path(False))
    pdf.add_font("DejaVu", "B", font_path(True))
    pdf.set_title(f"Sanaq scanner calibration sheet v{version}")
    pdf.set_creator("Sanaq")
    pdf.set_producer("Sanaq")
    for side in SIDES:
        pdf.add_page()
        _pdf_side(pdf, sheet_side(side, version))
    return bytes(pdf.output())


def qr_box() -> Box:
    return qr_box_for_height(HEIGHT_MM)
