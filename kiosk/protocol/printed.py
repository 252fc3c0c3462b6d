"""The printed protocol: A4 PDF in Kazakh and Russian (fpdf2, DejaVu Sans embedded), with
the signed protocol in QR codes. Same document, same bytes (fixed creation date, no
random ids), so a verifier holding the package can render it again and compare.

Layout: header (election, station, ballot type, version), every line with its number,
titles in both languages, value and, for vote lines, the share on the base that includes
"against all"; the number of ballots decided by the commission; every control ratio with
both sums; the signature block (each roster member, their electronic approval or dissent,
a line for the hand signature); then the QR codes, two columns, 1.016 mm modules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

import segno
from fpdf import FPDF

from kiosk.ballots.layout import font_path
from kiosk.election.model import Election, Text
from kiosk.protocol import compact
from kiosk.protocol.model import check_ratios, percent, results
from kiosk.protocol.signed import Verified

PDF_DATE: Final = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
QR_ERROR: Final = "q"
# 12 pixels at 300 dpi, 6 at 150, 8 at 200: whole pixels at the usual rendering resolutions
# (zbar misses some codes whose modules alternate 10 and 11 pixels).
QR_MODULE_MM: Final = 25.4 * 12 / 300
MARGIN: Final = 15.0
PAGE_W, PAGE_H = 210.0, 297.0
BODY_BOTTOM: Final = PAGE_H - 18.0

TITLE = Text(
    kk="Учаскелік сайлау комиссиясының дауыс беру қорытындылары туралы ХАТТАМАСЫ",
    ru="ПРОТОКОЛ участковой избирательной комиссии об итогах голосования",
    en="Protocol of the precinct election commission on the results of the vote",
)
ROLE = {
    "chair": ("Төраға", "Председатель"),
    "secretary": ("Хатшы", "Секретарь"),
    "member": ("Мүше", "Член комиссии"),
    "device": ("Құрылғы", "Устройство"),
}
VOTE = {
    "approve": ("электрондық қол қойды", "подписал электронно"),
    "dissent": ("ерекше пікір", "особое мнение"),
    None: ("қол қойылмаған", "не подписал"),
}


def qr_texts(document: Mapping[str, Any]) -> list[str]:
    return compact.split(compact.to_binary(document))


class _Pdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(80, 80, 80)
        self.cell(0, 4, f"{self.footer_text}   {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def render_pdf(verified: Verified, document: Mapping[str, Any], election: Election) -> bytes:
    p = verified.protocol
    form = election.protocol(p.contest)
    assert form is not None
    style = election.style(p.style)
    station = election.station(p.station)
    contest = election.contest(p.contest)
    pdf = _Pdf(unit="mm", format="A4")
    pdf.set_creation_date(PDF_DATE)
    pdf.set_title(f"Sanaq protocol {p.station} {p.style} v{p.version}")
    pdf.set_creator("Sanaq")
    pdf.set_producer("Sanaq")
    pdf.add_font("DejaVu", "", font_path(False))
    pdf.add_font("DejaVu", "B", font_path(True))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=18)
    pdf.footer_text = f"{p.station} · {p.style} · v{p.version} · sha256 {verified.digest[:16]}"
    pdf.alias_nb_pages()
    pdf.add_page()
    w = PAGE_W - 2 * MARGIN

    def para(text: str, size: float, bold: bool = False, h: float = 4.2, align: str = "L") -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(w, h, text, align=align, new_x="LMARGIN", new_y="NEXT")

    para(election.election.title.kk, 9, True, align="C")
    para(election.election.title.ru, 8.5, align="C")
    pdf.ln(2)
    para(TITLE.kk, 11, True, 5, "C")
    para(TITLE.ru, 10.5, True, 5, "C")
    pdf.ln(1)
    para(f"{station.name.kk} / {station.name.ru}", 9, True)
    para(f"{station.address.kk} / {station.address.ru}", 8)
    para(f"{style.title.kk} ({style.colour_name.kk})", 8.5, True)
    para(f"{style.title.ru} ({style.colour_name.ru})", 8.5)
    para(f"{contest.title.kk} / {contest.title.ru}", 8)
    version = f"Нұсқа / Версия {p.version}"
    if p.replaces is not None:
        version += f" — {p.replaces.version}-нұсқаның орнына / взамен версии {p.replaces.version}: {p.replaces.reason}"
    para(version, 9, True)
    pdf.ln(2)

    # --- lines ---
    shares = {o: (v, s) for o, v, s in results(p, form)}
    widths = (12.0, w - 12.0 - 24.0 - 20.0, 24.0, 20.0)

    def row(number: str, kk: str, ru: str, value: str, share: str) -> None:
        pdf.set_font("DejaVu", "", 7.5)
        # Most titles fit on one line per language: two cells, no line breaking (fast).
        simple = max(pdf.get_string_width(kk), pdf.get_string_width(ru)) <= widths[1] - 3
        if simple:
            n_lines = 2
        else:
            title_lines = pdf.multi_cell(widths[1] - 2, 3.3, f"{kk}\n{ru}", dry_run=True, output="LINES")
            assert isinstance(title_lines, list)
            n_lines = len(title_lines)
        h = max(7.0, 3.3 * n_lines + 0.8)
        if pdf.get_y() + h > BODY_BOTTOM:
            pdf.add_page()
        x, y = pdf.get_x(), pdf.get_y()
        pdf.rect(x, y, sum(widths), h)
        pdf.set_font("DejaVu", "B", 8)
        pdf.set_xy(x, y)
        pdf.cell(widths[0], h, number, align="C")
        pdf.set_font("DejaVu", "", 7.5)
        pdf.set_xy(x + widths[0] + 1, y + 0.4)
        if simple:
            pdf.cell(widths[1] - 2, 3.3, kk)
            pdf.set_xy(x + widths[0] + 1, y + 0.4 + 3.3)
            pdf.cell(widths[1] - 2, 3.3, ru)
        else:
            pdf.multi_cell(widths[1] - 2, 3.3, f"{kk}\n{ru}")
        pdf.set_font("DejaVu", "B", 10)
        pdf.set_xy(x + widths[0] + widths[1], y)
        pdf.cell(widths[2] - 2, h, value, align="R")
        pdf.set_font("DejaVu", "", 8)
        pdf.set_xy(x + widths[0] + widths[1] + widths[2], y)
        pdf.cell(widths[3] - 2, h, share, align="R")
        pdf.set_xy(x, y + h)

    row("№", "Жол", "Строка", "Саны / Число", "% *")
    values = p.values()
    for ln in form.lines:
        share = ""
        if ln.option is not None:
            share = percent(shares[ln.option][1])
        row(ln.number, ln.title.kk, ln.title.ru, str(values[ln.id]), share)
    row(
        "",
        "Комиссия шешім қабылдаған бюллетеньдер саны",
        "Число бюллетеней, по которым решение приняла комиссия",
        str(p.commission_decided),
        "",
    )
    pdf.ln(1)
    para(
        "* «Барлығына қарсы» дауыстарын қоса алғандағы негізден / от базы, включающей голоса «против всех»",
        7,
    )
    pdf.ln(2)

    # --- ratios ---
    para("Бақылау қатынастары / Контрольные соотношения", 9, True)
    titles = {r.id: r.title for r in form.ratios}
    for r in check_ratios(p):
        mark = "орындалды / выполнено" if r.ok else f"ОРЫНДАЛМАДЫ / НЕ ВЫПОЛНЕНО ({r.difference:+d})"
        t = titles.get(r.id)
        para(f"{t.kk if t else r.id}:  {r.left_sum} {r.op} {r.right_sum}  —  {mark}", 8.5)
    pdf.ln(3)

    # --- signatures ---
    if pdf.get_y() + 12 + 9 * (len(verified.enrolment.members) + 1) > BODY_BOTTOM:
        pdf.add_page()
    para("Қолдар / Подписи", 9, True)
    signed = {s.signer: s for s in verified.signatures}
    for m in (
        *[m for m in verified.enrolment.members if m.role != "member"],
        *[m for m in verified.enrolment.members if m.role == "member"],
    ):
        s = signed.get(m.id)
        kk, ru = VOTE[s.vote if s else None]
        note = f": {s.note}" if s and s.note else ""
        rk, rr = ROLE[m.role]
        pdf.set_font("DejaVu", "", 8.5)
        pdf.cell(60, 8, f"{rk} / {rr}")
        pdf.cell(30, 8, m.id)
        pdf.cell(50, 8, "_" * 26)
        pdf.set_font("DejaVu", "", 7)
        pdf.multi_cell(0, 4, f"{kk} / {ru}{note}", align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    dev = signed.get("device")
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(
        0, 6, f"Құрылғы / Устройство: {VOTE[dev.vote if dev else None][1]}", new_x="LMARGIN", new_y="NEXT"
    )

    # --- QR codes ---
    texts = qr_texts(document)
    codes = [segno.make_qr(t, error=QR_ERROR, boost_error=False) for t in texts]
    cell = max((len(c.matrix) + 8) * QR_MODULE_MM for c in codes)
    # The codes follow on the same page when a row of them fits below the signatures.
    pdf.ln(4)
    if pdf.get_y() + 12 + cell + 5 > BODY_BOTTOM:
        pdf.add_page()
    para("QR: қол қойылған хаттама / подписанный протокол", 9, True)
    para(
        f"{len(texts)} код(тар) / кодов. Тексеру / Проверка: sanaq verify; sha256 {verified.digest}",
        7,
    )
    top = pdf.get_y() + 2
    columns = max(1, int((PAGE_W - 6) // (cell + 6)))
    gap = (PAGE_W - columns * cell) / (columns + 1)
    y = top
    for k, code in enumerate(codes):
        col = k % columns
        if col == 0 and k:
            y += cell + 7
        if y + cell + 5 > BODY_BOTTOM:
            pdf.add_page()
            y = MARGIN
        x = gap + col * (cell + gap)
        _qr(pdf, code, x, y)
        pdf.set_font("DejaVu", "", 8)
        pdf.set_xy(x, y + cell + 0.5)
        pdf.cell(cell, 4, f"{k + 1} / {len(texts)}", align="C")
    return bytes(pdf.output())


def _qr(pdf: FPDF, code: segno.QRCode, x: float, y: float) -> None:
    matrix = code.matrix
    n = len(matrix)
    module = QR_MODULE_MM
    ox, oy = x + 4 * module, y + 4 * module
    pdf.set_fill_color(0, 0, 0)
    for r, line in enumerate(matrix):
        c = 0
        while c < n:
            if line[c]:
                start = c
                while c < n and line[c]:
                    c += 1
                pdf.rect(ox + start * module, oy + r * module, (c - start) * module, module, style="F")
            else:
                c += 1
