"""The kiosk's clock, checked against what the audit chain already says (issue 11).

A clock set back shows a close before its open in the audit; a clock far off puts the
whole day on another date. Neither is refused (a wrong clock must not stop a count that
is otherwise sound), but both are flagged with a stable code when the commission acts,
recorded in the audit chain, and reported again by `station verify`. Pure functions over
the audit events (`Journal.audit_events()`), so the journal itself is not touched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

# Set-up, tests and the zero report may come some days before polling day; a count far
# from it means the clock (or the package) is wrong.
MAX_DAYS_FROM_ELECTION = 7
WARNING_KIND = "clock_warning"


def _parse(at: str | None) -> dt.datetime | None:
    if not at:
        return None
    try:
        t = dt.datetime.fromisoformat(at)
    except ValueError:
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


def clock_findings(
    events: Iterable[Mapping[str, Any]], now_iso: str, election_date: dt.date
) -> list[tuple[str, str]]:
    """(code, detail) for what is wrong with `now` given the audit so far."""
    out: list[tuple[str, str]] = []
    now = _parse(now_iso)
    if now is None:
        return [("clock_went_back", f"unreadable time {now_iso!r}")]
    latest = max((t for e in events if (t := _parse(e.get("at"))) is not None), default=None)
    if latest is not None and now < latest:
        out.append(("clock_went_back", f"now {now.isoformat()}, last record {latest.isoformat()}"))
    days = abs((now.date() - election_date).days)
    if days > MAX_DAYS_FROM_ELECTION:
        out.append(
            ("clock_far_from_election", f"{now.date().isoformat()} is {days} days from {election_date}")
        )
    return out


def audit_clock_report(events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """For `verify`: every place the audit's times go backwards, and every warning the
    station recorded when it acted."""
    report: list[dict[str, Any]] = []
    latest: dt.datetime | None = None
    for e in events:
        if e.get("kind") == WARNING_KIND:
            detail = e.get("detail") or {}
            report.append({"seq": e.get("seq"), "code": detail.get("code"), "detail": detail.get("detail")})
        t = _parse(e.get("at"))
        if t is None:
            continue
        if latest is not None and t < latest:
            report.append(
                {
                    "seq": e.get("seq"),
                    "code": "clock_went_back",
                    "detail": f"{e.get('kind')} at {t.isoformat()} after {latest.isoformat()}",
                }
            )
        latest = t if latest is None else max(latest, t)
    return report
