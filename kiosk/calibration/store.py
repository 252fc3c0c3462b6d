"""A profile on disk and in the signed journal.

The profile is written as canonical JSON to DATA/calibration/KEY.json (write, sync, rename);
then a signed `scanner_calibrated` link records {serial (the key), measured_at, passed,
failures, file, sha256 of the file's bytes}. Only what a link vouches for counts: a file
without its link is ignored, and a file whose bytes no longer hash to its latest link
(swapped, edited) is reported (`calibration_profile_changed`) and refuses the opening.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from kiosk.calibration.apply import ReaderCalibration
from kiosk.errors import SanaqError
from kiosk.station.journal import Journal
from kiosk.station.lifecycle import CalibrationFacts, ProfileFact
from kiosk.station.store import canonical

LINK_KIND = "scanner_calibrated"
DIRECTORY = "calibration"


def data_dir(journal: Journal) -> Path:
    """The folder of the journal's primary file (the station's data folder)."""
    row = journal.db.execute("PRAGMA database_list").fetchone()
    return Path(row[2]).parent


def profile_path(data: Path, key: str) -> Path:
    return data / DIRECTORY / f"{key}.json"


def _write_atomic(path: Path, body: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SanaqError("file_unwritable", f"{path}: {exc.strerror}") from exc


def record_profile(journal: Journal, profile: dict[str, Any], role: str | None) -> str:
    """Write the profile beside the journal and record it as a signed link. Returns the
    profile's sha256."""
    key = str(profile["scanner"]["key"])
    body = canonical(profile)
    digest = hashlib.sha256(body).hexdigest()
    data = data_dir(journal)
    _write_atomic(profile_path(data, key), body)
    journal.record_report(
        LINK_KIND,
        role,
        profile,
        extra={
            "serial": key,
            "measured_at": profile["measured_at"],
            "passed": bool(profile["passed"]),
            "failures": sorted({f["code"] for f in profile["failures"]}),
            "file": f"{DIRECTORY}/{key}.json",
        },
    )
    return digest


def latest_links(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The last `scanner_calibrated` link of each scanner."""
    out: dict[str, dict[str, Any]] = {}
    for e in events:
        if e["kind"] == LINK_KIND:
            out[str(e["detail"].get("serial"))] = e["detail"]
    return out


def _intact(data: Path, detail: dict[str, Any]) -> bool:
    path = profile_path(data, str(detail.get("serial")))
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == detail.get("sha256")
    except OSError:
        return False


def _age_days(measured_at: str, now: str) -> float:
    try:
        a, b = dt.datetime.fromisoformat(measured_at), dt.datetime.fromisoformat(now)
        return (b - a).total_seconds() / 86400.0
    except (TypeError, ValueError):
        return float("inf")


def facts(journal: Journal, required: bool, max_age_days: int) -> CalibrationFacts:
    """What `lifecycle.decide` needs to know about this station's calibrations, now."""
    data = data_dir(journal)
    now = journal.clock.now_iso()
    profiles = tuple(
        ProfileFact(
            scanner=key,
            age_days=_age_days(str(d.get("measured_at")), now),
            passed=bool(d.get("passed")),
            intact=_intact(data, d),
        )
        for key, d in sorted(latest_links(journal.audit_events()).items())
    )
    return CalibrationFacts(required, max_age_days, profiles)


def reader_calibration(journal: Journal, key: str) -> ReaderCalibration | None:
    """The profile of scanner `key` as its latest link vouches for it, for the reader; None
    when there is none or its file does not match (the opening refuses that already)."""
    detail = latest_links(journal.audit_events()).get(key)
    if detail is None:
        return None
    data = data_dir(journal)
    if not _intact(data, detail):
        return None
    profile = json.loads(profile_path(data, key).read_bytes())
    return ReaderCalibration.from_profile(profile)


def check_files(journal: Journal, data: Path) -> list[dict[str, Any]]:
    """For `sanaq station verify`: each scanner's latest profile file against its link."""
    return [
        {"serial": key, "file": d.get("file"), "passed": bool(d.get("passed")), "intact": _intact(data, d)}
        for key, d in sorted(latest_links(journal.audit_events()).items())
    ]
