"""Headquarters receipts on paper: thermal lines (drivers.printer prints them: Kazakh lines as
images, Russian and Latin as text) and an A4 PDF (fpdf2, DejaVu), for the commission and the
courier. Pure: the lines and the PDF bytes are made here; nothing is printed here.

What a receipt says: what headquarters stored (station, ballot type or file kind, version,
whether it is the current version), the hash of what it stored, when, and the delivery's
key; the hashes in groups of 16 so that they can be read out and compared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kiosk.sync.wire import Receipt

TITLE_KK = "ШТАБТЫҢ ҚАБЫЛДАУ ТҮБІРТЕГІ"
TITLE_RU = "КВИТАНЦИЯ ШТАБА О ПРИЁМЕ"
TITLE_EN = "Headquarters receipt"


def groups(hexdigest: str, size: int = 16) -> list[str]:
    return [hexdigest[i : i + size] for i in range(0, len(hexdigest), size)]


def receipt_lines(receipt: Receipt, name: str) -> tuple[str, tuple[str, ...]]:
    """(title, lines) of one receipt for the thermal printer (32-48 columns)."""
    what = (
        f"протокол {receipt.contest}"
        if receipt.kind == "protocol"
        else f"файл {receipt.kind}: {receipt.name}"
    )
    lines = [
        TITLE_RU,
        TITLE_EN,
        f"Участок (учаске): {receipt.station}",
        f"Принято: {what}",
        f"Версия: {receipt.version}" + (" (текущая)" if receipt.current else " (история)"),
        f"Время приёма (UTC): {receipt.stored_at}",
        f"Файл: {name}",
        "SHA-256:",
        *groups(receipt.sha256),
        "Ключ доставки / delivery key:",
        *groups(receipt.key),
        f"Выборы: {receipt.election_hash[:16]}",
        "-" * 32,
    ]
    return TITLE_KK, tuple(lines)


def receipts_pdf(receipts: Sequence[tuple[Receipt, str]]) -> bytes:
    """One A4 page per receipt."""
    from fpdf import FPDF

    from kiosk.ballots.layout import font_path

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("DejaVu", "", font_path(False))
    pdf.add_font("DejaVu", "B", font_path(True))
    # The first receipt's time: the same receipts give the same bytes.
    first = receipts[0][0].stored_at if receipts else "2000-01-01T00:00:00Z"
    pdf.set_creation_date(dt.datetime.strptime(first, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC))
    for receipt, name in receipts:
        title, lines = receipt_lines(receipt, name)
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 15)
        pdf.cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
        for i, line in enumerate(lines):
            pdf.set_font("DejaVu", "B" if i < 2 else "", 12 if i < 2 else 11)
            pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
