"""The zero report (at opening) and the polls-closed report as thermal receipts: text lines
only, no QR (VotingWorks stopped printing results QR codes on thermal paper as too
error-prone). Pure: the lines are built here; `drivers.printer` prints them (Kazakh lines as
images, Russian and Latin as text).
"""

from __future__ import annotations

from typing import Any, Literal

from kiosk.election.model import Election

Kind = Literal["zero", "closed"]

TITLE = {
    "zero": ("НӨЛДІК ЕСЕП", "НУЛЕВОЙ ОТЧЁТ"),
    "closed": ("ДАУЫС БЕРУ АЯҚТАЛДЫ: ЕСЕП", "ОТЧЁТ ОБ ОКОНЧАНИИ ГОЛОСОВАНИЯ"),
}


def receipt_lines(
    kind: Kind, election: Election, station_id: str, tally: dict[str, Any], chain_head: str, at: str
) -> tuple[str, tuple[str, ...]]:
    """(title, lines) of one receipt. `tally` is `Tally.to_json()`. Kazakh and Russian on
    lines of their own, so that the Russian ones print as text and only the Kazakh ones as
    images; each option: its Kazakh name, then its Russian name and count."""
    st = election.station(station_id)
    kk, ru = TITLE[kind]
    lines: list[str] = [
        ru,
        st.name.kk,
        st.name.ru,
        election.election.title.ru,
        f"{at}",
        f"Барлық парақтар: {tally['sheets']}",
        f"Всего листов: {tally['sheets']}",
    ]
    if kind == "zero":
        if _all_zero(tally):
            lines += ["Барлық есептегіштер нөлде", "Все счётчики на нуле"]
        else:
            lines += ["ЕСЕПТЕГІШТЕР НӨЛДЕ ЕМЕС", "СЧЁТЧИКИ НЕ НА НУЛЕ"]
    for s in st.styles:
        style = election.style(s)
        contest = election.contest(style.contest)
        c = tally["contests"].get(contest.id, {"options": {}, "blank": 0, "overvote": 0, "review_pending": 0})
        lines.append("-" * 32)
        lines.append(f"{style.id}: {contest.title.ru}")
        for o in contest.options:
            lines.append(o.name.kk)
            lines.append(f"  {o.name.ru}: {c['options'].get(o.id, 0)}")
        lines.append(f"  Пустые (бос): {c['blank']}")
        lines.append(f"  Лишние отметки: {c['overvote']}")
        lines.append(f"  На решение комиссии: {c['review_pending']}")
    lines.append("-" * 32)
    lines.append(f"Журнал: {chain_head[:16]}")
    lines.append("Төраға:")
    lines.append("Председатель: ____________")
    lines.append("Хатшы:")
    lines.append("Секретарь: ____________")
    return kk, tuple(lines)


def _all_zero(tally: dict[str, Any]) -> bool:
    if tally["sheets"]:
        return False
    for c in tally["contests"].values():
        if any(c["options"].values()) or c["blank"] or c["overvote"] or c["review_pending"]:
            return False
    return True
