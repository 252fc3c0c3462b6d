"""Draw a ballot layout: vector PDF (fpdf2, fonts embedded) and raster (Pillow).

Both backends draw the same primitives from `layout`, so the printed paper and the
images the reader is checked against have one geometry.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path

import numpy as np
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from kiosk.ballots.layout import (
    PT_MM,
    BallotLayout,
    Line,
    Primitive,
    QrCode,
    Rect,
    Side,
    SideLayout,
    TextRun,
    font_path,
    qr_matrix,
)

# Fixed so that the same package gives the same PDF bytes.
PDF_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


# --- raster ----------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _font(bold: bool, px: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(bold), px)


def render_side_image(layout: BallotLayout, side: Side, dpi: int) -> Image.Image:
    """One side of the ballot as an RGB image at `dpi` (paper white background)."""
    s = dpi / 25.4
    width, height = round(layout.width_mm * s), round(layout.height_mm * s)
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    _draw_side(draw, layout.side(side), s)
    return image


def _draw_side(draw: ImageDraw.ImageDraw, side: SideLayout, s: float) -> None:
    _draw_primitives(draw, side.drawing, s)


def _draw_primitives(draw: ImageDraw.ImageDraw, drawing: tuple[Primitive, ...], s: float) -> None:
    for p in drawing:
        if isinstance(p, Rect):
            x0, y0 = round(p.box.x * s), round(p.box.y * s)
            x1, y1 = round((p.box.x + p.box.w) * s) - 1, round((p.box.y + p.box.h) * s) - 1
            if p.fill is not None:
                draw.rectangle((x0, y0, x1, y1), fill=_rgb(p.fill))
            if p.stroke is not None:
                draw.rectangle((x0, y0, x1, y1), outline=_rgb(p.stroke), width=max(1, round(p.stroke_mm * s)))
        elif isinstance(p, Line):
            draw.line(
                (round(p.x1 * s), round(p.y1 * s), round(p.x2 * s), round(p.y2 * s)),
                fill=_rgb(p.colour),
                width=max(1, round(p.width_mm * s)),
            )
        elif isinstance(p, TextRun):
            anchor = {"left": "ls", "right": "rs", "center": "ms"}[p.align]
            font = _font(p.bold, round(p.size_pt * PT_MM * s * 4) / 4)
            draw.text((p.x * s, p.y * s), p.text, font=font, fill=_rgb(p.colour), anchor=anchor)
        elif isinstance(p, QrCode):
            matrix = qr_matrix(p.payload)
            module = p.box.w / (len(matrix) + 8)
            ox, oy = p.box.x + 4 * module, p.box.y + 4 * module
            for r, row in enumerate(matrix):
                for c, dark in enumerate(row):
                    if dark:
                        x0, y0 = round((ox + c * module) * s), round((oy + r * module) * s)
                        x1, y1 = (
                            round((ox + (c + 1) * module) * s) - 1,
                            round((oy + (r + 1) * module) * s) - 1,
                        )
                        draw.rectangle((x0, y0, x1, y1), fill=(0, 0, 0))


def render_side_grey(layout: BallotLayout, side: Side, dpi: int) -> np.ndarray:
    """The side as a uint8 grey array, as a grey scanner would see a perfect print."""
    return np.asarray(render_side_image(layout, side, dpi).convert("L"))


# --- PDF -------------------------------------------------------------------------------


def render_pdf(layout: BallotLayout) -> bytes:
    """Print-ready PDF: page 1 the title (front) side, page 2 the choices (back) side."""
    pdf = FPDF(unit="mm", format=(layout.width_mm, layout.height_mm))
    pdf.set_creation_date(PDF_DATE)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font("DejaVu", "", font_path(False))
    pdf.add_font("DejaVu", "B", font_path(True))
    pdf.set_title(f"Sanaq ballot {layout.style}")
    pdf.set_creator("Sanaq")
    pdf.set_producer("Sanaq")
    for side in (layout.front, layout.back):
        pdf.add_page()
        _pdf_side(pdf, side)
    return bytes(pdf.output())


def _pdf_side(pdf: FPDF, side: SideLayout) -> None:
    for p in side.drawing:
        if isinstance(p, Rect):
            style = ""
            if p.fill is not None:
                pdf.set_fill_color(*_rgb(p.fill))
                style += "F"
            if p.stroke is not None:
                pdf.set_draw_color(*_rgb(p.stroke))
                pdf.set_line_width(p.stroke_mm)
                style = "DF" if style else "D"
            if p.stroke is not None:
                # fpdf strokes on the path; inset by half the stroke so the ink stays inside the box,
                # as the raster backend draws it.
                h = p.stroke_mm / 2
                if p.fill is not None:
                    pdf.rect(p.box.x, p.box.y, p.box.w, p.box.h, style="F")
                pdf.rect(p.box.x + h, p.box.y + h, p.box.w - 2 * h, p.box.h - 2 * h, style="D")
            else:
                pdf.rect(p.box.x, p.box.y, p.box.w, p.box.h, style=style)
        elif isinstance(p, Line):
            pdf.set_draw_color(*_rgb(p.colour))
            pdf.set_line_width(p.width_mm)
            pdf.line(p.x1, p.y1, p.x2, p.y2)
        elif isinstance(p, TextRun):
            pdf.set_font("DejaVu", "B" if p.bold else "", p.size_pt)
            pdf.set_text_color(*_rgb(p.colour))
            x = p.x
            if p.align != "left":
                w = pdf.get_string_width(p.text)
                x = p.x - (w if p.align == "right" else w / 2)
            pdf.text(x, p.y, p.text)
        elif isinstance(p, QrCode):
            matrix = qr_matrix(p.payload)
            module = p.box.w / (len(matrix) + 8)
            ox, oy = p.box.x + 4 * module, p.box.y + 4 * module
            pdf.set_fill_color(0, 0, 0)
            for r, row in enumerate(matrix):
                for c, dark in enumerate(row):
                    if dark:
                        pdf.rect(ox + c * module, oy + r * module, module, module, style="F")


def write_ballot_files(layout: BallotLayout, dpi: int, out: Path) -> None:
    """The `sanaq ballots render` files of one style: ID.pdf, ID.png (choices side, grey),
    ID.front.png and ID.layout.json."""
    style = layout.style
    (out / f"{style}.pdf").write_bytes(render_pdf(layout))
    render_side_image(layout, "back", dpi).convert("L").save(out / f"{style}.png", optimize=False)
    render_side_image(layout, "front", dpi).convert("L").save(out / f"{style}.front.png")
    (out / f"{style}.layout.json").write_text(
        json.dumps(layout.to_json(dpi), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


# --- several sheets, marks drawn over a render (issue 16: the logic-and-accuracy deck) ----------


def draw_over(image: Image.Image, drawing: tuple[Primitive, ...], dpi: int) -> Image.Image:
    """A copy of a rendered side with more primitives drawn over it (a test deck's marks)."""
    out = image.copy()
    _draw_primitives(ImageDraw.Draw(out), drawing, dpi / 25.4)
    return out


def render_pdf_sheets(layouts: list[BallotLayout], title: str) -> bytes:
    """One print-ready PDF of several sheets, each its title side then its choices side
    (duplex), each page at its own ballot's size."""
    pdf = FPDF(unit="mm")
    pdf.set_creation_date(PDF_DATE)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font("DejaVu", "", font_path(False))
    pdf.add_font("DejaVu", "B", font_path(True))
    pdf.set_title(title)
    pdf.set_creator("Sanaq")
    pdf.set_producer("Sanaq")
    for layout in layouts:
        for side in (layout.front, layout.back):
            pdf.add_page(format=(layout.width_mm, layout.height_mm))
            _pdf_side(pdf, side)
    return bytes(pdf.output())
