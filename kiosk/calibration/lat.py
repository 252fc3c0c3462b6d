"""The logic-and-accuracy test's report: the test tally against the deck's expected one, line
by line; the result as a signed journal link; the fact the lifecycle needs to open (issue 16).

The report is made in test mode (state `testing`), before `end_test` deletes the test sheets.
Lines compared, for every ballot style of the station: every option, blank, overvote,
invalid, set aside for review; then the sheets counted, sheets still pending, and the
sheets returned, by reason.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from kiosk.election.model import Election, Rules
from kiosk.errors import SanaqError
from kiosk.station.journal import Journal

RESULT_KIND = "test_deck_result"
CALIBRATION_KIND = "scanner_calibrated"  # recorded by the scanner calibration (issue 16, calib)
# Links after which an earlier test no longer counts: a new scanner profile, new mark thresholds.
INVALIDATING_KINDS = (CALIBRATION_KIND, "mark_thresholds_chosen")


@dataclass(frozen=True)
class Line:
    label: str  # "MZ-LIST / amanat", "MZ-LIST / blank", "sheets counted", "returned: wrong_election"
    expected: int
    actual: int
    name: str = ""  # the option's name (Russian), for the commission reading the report

    @property
    def diff(self) -> int:
        return self.actual - self.expected

    def to_json(self) -> dict[str, Any]:
        return {"line": self.label, "expected": self.expected, "actual": self.actual, "diff": self.diff}


@dataclass(frozen=True)
class TestResult:
    station: str
    scheme: str
    lines: tuple[Line, ...]

    @property
    def passed(self) -> bool:
        return all(ln.diff == 0 for ln in self.lines)

    @property
    def differing(self) -> tuple[Line, ...]:
        return tuple(ln for ln in self.lines if ln.diff != 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "scheme": self.scheme,
            "passed": self.passed,
            "lines": [ln.to_json() for ln in self.lines],
            "differing": [ln.to_json() for ln in self.differing],
        }


# --- the fact the lifecycle needs -------------------------------------------------------------------


def signed_details(journal: Journal, kinds: tuple[str, ...]) -> list[tuple[int, str, dict[str, Any]]]:
    """(seq, kind, detail) of the links of these kinds, each checked before it is believed:
    its own hash, and its signature by the device key the configuration names. A link edited
    in the file (a failed test turned into a pass, a threshold moved) is `journal_tampered`."""
    from kiosk.station.chain import link_hash
    from kiosk.station.device import public_from_hex, verify_signature

    key = public_from_hex(journal.config()["device_key"])
    out = []
    for seq, session, at, kind, role, detail, prev, digest, sig in journal.db.execute(
        f"SELECT seq, session, at, kind, role, detail, prev, hash, sig FROM audit "
        f"WHERE kind IN ({','.join('?' * len(kinds))}) ORDER BY seq",
        kinds,
    ):
        parsed = json.loads(detail)
        if link_hash(prev, session, at, kind, role, parsed) != digest or not verify_signature(
            key, sig, bytes.fromhex(digest)
        ):
            raise SanaqError("journal_tampered", f"audit link {seq} ({kind}) does not hold; run verify")
        out.append((int(seq), str(kind), parsed))
    return out


def passed_test_deck(journal: Journal, rules: Rules) -> bool:
    """True when the package waives the test, or a passed test is recorded after the last
    scanner calibration or choice of mark thresholds (a test run before either does not count:
    it tested a scanner or a reader that is no longer the one counting)."""
    if not rules.logic_and_accuracy_required:
        return True
    last_passed = last_calibration = 0
    for seq, kind, detail in signed_details(journal, (RESULT_KIND, *INVALIDATING_KINDS)):
        if kind in INVALIDATING_KINDS:
            last_calibration = seq
        elif detail.get("passed") is True:
            last_passed = seq
    return last_passed > last_calibration


# --- comparing ------------------------------------------------------------------------------------


def returned_in_test(journal: Journal) -> dict[str, int]:
    """Sheets returned since the test started, by reason (the audit keeps only the reason)."""
    start = journal.db.execute("SELECT MAX(seq) FROM audit WHERE kind='start_test'").fetchone()[0] or 0
    out: dict[str, int] = {}
    for (detail,) in journal.db.execute(
        "SELECT detail FROM audit WHERE kind='sheet_returned' AND seq > ? ORDER BY seq", (start,)
    ):
        reason = str(json.loads(detail).get("reason"))
        out[reason] = out.get(reason, 0) + 1
    return out


def compare(
    election: Election,
    station_id: str,
    expected: dict[str, Any],
    tally: dict[str, Any],
    returned: dict[str, int],
) -> TestResult:
    """Every line of the expected tally against the test tally (`Tally.to_json`)."""
    lines: list[Line] = []
    station = election.station(station_id)
    for style_id in station.styles:
        contest = election.contest(election.style(style_id).contest)
        want = expected["contests"].get(contest.id, {})
        got = tally["contests"].get(contest.id, {})
        for o in contest.options:
            lines.append(
                Line(
                    f"{style_id} / {o.id}",
                    int(want.get("options", {}).get(o.id, 0)),
                    int(got.get("options", {}).get(o.id, 0)),
                    o.name.ru,
                )
            )
        # Votes for options this contest does not have (none can be, but a wrong file could).
        for extra in sorted(set(got.get("options", {})) - {o.id for o in contest.options}):
            lines.append(Line(f"{style_id} / {extra}", 0, int(got["options"][extra])))
        for key, label in (
            ("blank", "blank"),
            ("overvote", "overvote"),
            ("invalid", "invalid"),
            ("review_pending", "review"),
        ):
            lines.append(Line(f"{style_id} / {label}", int(want.get(key, 0)), int(got.get(key, 0))))
    lines.append(Line("sheets counted", int(expected["sheets"]), int(tally["sheets"])))
    lines.append(Line("sheets pending", 0, int(tally.get("pending", 0))))
    want_ret = expected.get("returned", {})
    for reason in sorted(set(want_ret) | set(returned)):
        lines.append(Line(f"returned: {reason}", int(want_ret.get(reason, 0)), int(returned.get(reason, 0))))
    return TestResult(station_id, str(expected.get("scheme", "?")), tuple(lines))


def check_expected(expected: dict[str, Any], election_hash: str, station_id: str) -> None:
    if not isinstance(expected, dict) or expected.get("format") != "sanaq.test-deck/1":
        raise SanaqError("test_deck_mismatch", "not a Sanaq test-deck expected.json")
    if expected.get("election_hash") != election_hash:
        raise SanaqError("test_deck_mismatch", "the deck was made for another election package")
    if expected.get("station") != station_id:
        raise SanaqError("test_deck_mismatch", f"the deck was made for station {expected.get('station')}")


def run_test_report(
    journal: Journal,
    election: Election,
    election_hash: str,
    station_id: str,
    invalid: tuple[str, ...],
    expected: dict[str, Any],
) -> TestResult:
    """The comparison, from the journal in test mode (refused in any other state)."""
    if journal.state != "testing":
        raise SanaqError("test_report_needs_test_mode", f"the station is {journal.state}")
    check_expected(expected, election_hash, station_id)
    # The expected tally is the package's, not the file's: recomputed from the plan of the
    # file's scheme, and the file refused if it says anything else (an edited count).
    from kiosk.calibration.testdeck import plan_deck

    planned = plan_deck(election, election_hash, station_id, str(expected.get("scheme")))
    if json.dumps(planned.expected, sort_keys=True) != json.dumps(expected, sort_keys=True):
        raise SanaqError(
            "test_deck_mismatch", "expected.json is not this package's deck: edited, or another version"
        )
    tally = journal.tally("test").to_json(invalid)
    return compare(election, station_id, expected, tally, returned_in_test(journal))


# --- the report on paper ------------------------------------------------------------------------


def receipt_lines(result: TestResult, chain_code: str, at: str) -> tuple[str, tuple[str, ...]]:
    """(title, lines) of the thermal receipt: the verdict first, then only what differs."""
    verdict_kk, verdict_ru = (
        ("СЫНАҚ ӨТТІ", "ТЕСТ ПРОЙДЕН") if result.passed else ("СЫНАҚ ӨТПЕДІ", "ТЕСТ НЕ ПРОЙДЕН")
    )
    lines = [
        "ТЕСТ ЛОГИКИ И ТОЧНОСТИ",
        f"Участок / учаске: {result.station}",
        f"{at}",
        f"Схема пачки: {result.scheme}",
        verdict_kk,
        verdict_ru,
        f"Строк сверено: {len(result.lines)}; расходится: {len(result.differing)}",
    ]
    for ln in result.differing:
        lines.append(f"{ln.label}: ожид. {ln.expected}, факт {ln.actual} ({ln.diff:+d})")
    lines += ["-" * 32, f"Журнал: {chain_code}", "Председатель: ____________", "Секретарь: ____________"]
    return verdict_kk, tuple(lines)


def report_pdf(result: TestResult, election: Election, member: str, at: str) -> bytes:
    """An A4 report: verdict, the lines that differ, then every line compared."""
    from fpdf import FPDF

    from kiosk.ballots.layout import font_path
    from kiosk.ballots.render import PDF_DATE

    pdf = FPDF(unit="mm", format="A4")
    pdf.set_creation_date(PDF_DATE)
    pdf.add_font("DejaVu", "", font_path(False))
    pdf.add_font("DejaVu", "B", font_path(True))
    pdf.set_title(f"Sanaq logic-and-accuracy test {result.station}")
    pdf.set_creator("Sanaq")
    pdf.set_producer("Sanaq")
    pdf.set_auto_page_break(True, 15)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.cell(0, 8, "Логика мен дәлдік сынағы / Тест логики и точности", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, "Logic-and-accuracy test", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    st = election.station(result.station)
    for text in (
        election.election.title.ru,
        f"{st.id}: {st.name.ru}",
        f"{at} · {member} · deck scheme {result.scheme}",
    ):
        pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 16)
    verdict = "PASSED / ӨТТІ / ПРОЙДЕН" if result.passed else "FAILED / ӨТПЕДІ / НЕ ПРОЙДЕН"
    pdf.set_text_color(0, 110, 0) if result.passed else pdf.set_text_color(180, 0, 0)
    pdf.cell(0, 10, verdict, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(
        0,
        6,
        f"{len(result.lines)} lines compared, {len(result.differing)} differ",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if result.differing:
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 6, "Lines that differ / Расходящиеся строки", new_x="LMARGIN", new_y="NEXT")
        _table(pdf, result.differing)
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 6, "Every line / Все строки", new_x="LMARGIN", new_y="NEXT")
    _table(pdf, result.lines)
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 6, "Председатель / Төраға: ______________   Секретарь / Хатшы: ______________")
    return bytes(pdf.output())


def _table(pdf: Any, lines: tuple[Line, ...]) -> None:
    pdf.set_font("DejaVu", "B", 9)
    for text, w in (("line", 100), ("expected", 25), ("actual", 25), ("diff", 20)):
        pdf.cell(w, 5, text, border=1)
    pdf.ln()
    pdf.set_font("DejaVu", "", 9)
    for ln in lines:
        text = f"{ln.label}  {ln.name}" if ln.name else ln.label
        while pdf.get_string_width(text) > 98:
            text = text[:-2] + "…"
        pdf.cell(100, 5, text, border=1)
        pdf.cell(25, 5, str(ln.expected), border=1)
        pdf.cell(25, 5, str(ln.actual), border=1)
        pdf.cell(20, 5, f"{ln.diff:+d}" if ln.diff else "0", border=1)
        pdf.ln()


# --- the journal ------------------------------------------------------------------------------------


def record_signed(journal: Journal, kind: str, role: str, detail: dict[str, Any]) -> str:
    """A signed link carrying `detail` (not only its digest); returns the chain head after it."""
    journal.check_state()
    journal._write(lambda conn: journal._link(conn, kind, role, detail, sign=True))
    return journal.chain_head()


def record_result(
    journal: Journal, role: str, member: str, result: TestResult, expected: dict[str, Any], pdf_sha256: str
) -> str:
    detail = {
        "passed": result.passed,
        "member": member,
        "scheme": result.scheme,
        "lines": len(result.lines),
        "differing": len(result.differing),
        "expected_sha256": hashlib.sha256(json.dumps(expected, sort_keys=True).encode()).hexdigest(),
        "report_sha256": pdf_sha256,
    }
    return record_signed(journal, RESULT_KIND, role, detail)
