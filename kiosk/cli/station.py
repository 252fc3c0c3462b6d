"""`sanaq station --data DIR ...`: the headless station, the same services the kiosk window uses."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.election.load import load_election, read_package_file, sample_package_bytes, trust
from kiosk.election.package import development_reason, verify_package
from kiosk.errors import SanaqError, error_code
from kiosk.messages import MESSAGES
from kiosk.station.clockcheck import audit_clock_report
from kiosk.station.datalock import lock_data
from kiosk.station.journal import Journal
from kiosk.station.lifecycle import review_refusal
from kiosk.station.service import ScanSummary, Station, SystemClock

JOURNAL = "journal.sqlite"
PACKAGE = "election.json"

LIFECYCLE = {
    "open": "open",
    "pause": "pause",
    "resume": "resume",
    "close": "close",
    "finalise": "finalise",
    "start-test": "start_test",
    "end-test": "end_test",
}


def add_parser(sub: Any) -> None:
    p = sub.add_parser("station", help="the headless station: init, open, scan, tally, verify, close")
    p.add_argument("--data", type=Path, required=True, help="the station's data folder")
    p.add_argument(
        "--role",
        default=None,
        choices=("chair", "secretary", "member", "technician"),
        help="who acts (no default): required, with --member, by every command that changes the station",
    )
    p.add_argument(
        "--member", default=None, help="the acting commission member's name (recorded in the audit)"
    )
    p.add_argument(
        "--development",
        action="store_true",
        help="development switch (or SANAQ_DEVELOPMENT=1): simulated/emulated scanners and development "
        "or test packages may count; recorded in the audit with every scan session",
    )
    p.add_argument("--hq-key", type=Path, default=None)
    ssub = p.add_subparsers(dest="action", required=True)
    q = ssub.add_parser("init", help="load the election package and choose the station")
    q.add_argument(
        "--election", type=Path, default=None, help="signed package (default: the built-in sample)"
    )
    q.add_argument("--station", default=None, help="station id (default: the package's only station)")
    q.add_argument("--mirror", type=Path, default=None, help="a second path for the journal copy (USB stick)")
    q.add_argument(
        "--scanner",
        default=None,
        help="the station's scanner URL with its options (docs/drivers.md), used when scan names none",
    )
    for name in LIFECYCLE:
        ssub.add_parser(name, help=f"lifecycle: {name}")
    q = ssub.add_parser("scan", help="count sheets from a scanner URL (default: the one set at init)")
    q.add_argument("source", nargs="?", default=None)
    q.add_argument("--limit", type=int, default=None)
    q = ssub.add_parser("status", help="state, session, counts")
    q.add_argument("--json", action="store_true")
    q = ssub.add_parser("tally", help="per contest: options, blank, overvote, invalid, review pending")
    q.add_argument("--json", action="store_true")
    q.add_argument("--mode", choices=("official", "test"), default="official")
    ssub.add_parser("verify", help="walk the audit chain and recompute the tally from the records")
    ssub.add_parser("review", help="sheets set aside for the commission")
    q = ssub.add_parser("decide", help="the commission decides a sheet set aside for review")
    # tidy8: the help says when (kiosk/station/lifecycle.py: review_refusal).
    q.description = (
        "The commission decides a sheet set aside for review. Decisions are taken only after"
        " the polls close: refused while they are open or paused (review_while_open), so a"
        " decision's place in the journal tells nothing of when the ballot was cast. During a"
        " logic-and-accuracy test (test ballots) it is not refused."
    )
    q.add_argument("sheet")
    q.add_argument("--contest", required=True)
    q.add_argument("--choice", default=None, help="the option voted for")
    q.add_argument("--outcome", choices=("vote", "blank", "overvote"), default="vote")
    q.add_argument("--who", required=True)
    q.add_argument("--why", required=True)
    q = ssub.add_parser(
        "settle", help="the commission says where a sheet the scanner cannot account for went"
    )
    q.add_argument("handle")
    q.add_argument("--answer", choices=("box", "returned"), required=True)
    q.add_argument("--who", required=True)
    q = ssub.add_parser("cvr", help="cast vote records as JSON lines, in an order that reveals nothing")
    q.add_argument("--mode", choices=("official", "test"), default="official")
    _add_lat_parsers(ssub)  # issue 16: the logic-and-accuracy test deck and its report


def _add_lat_parsers(ssub: Any) -> None:
    q = ssub.add_parser(
        "test-deck", help="the station's logic-and-accuracy test deck: PDF, images, expected tally (issue 16)"
    )
    q.add_argument("--out", type=Path, required=True)
    q.add_argument(
        "--scheme",
        default="full",
        help="full (every option a different count) or cycle:K (shorter; see docs)",
    )
    q.add_argument(
        "--dpi", type=int, default=200, help="resolution of the images for folder/emulator scanners"
    )
    q.add_argument("--no-pdf", action="store_true", help="images and expected tally only")
    q = ssub.add_parser(
        "test-report",
        help="in test mode: the test tally against the deck's expected one; recorded (issue 16)",
    )
    q.add_argument("--expected", type=Path, required=True, help="expected.json written by test-deck")
    q.add_argument("--out", type=Path, default=None, help="folder for the PDF report (default DATA/reports)")
    q.add_argument("--printer", default=None, help="thermal receipt to this printer URL (docs/drivers.md)")
    q.add_argument("--spool", type=Path, default=None, help="print spool folder (default DATA/spool)")


def _config(data: Path) -> dict[str, Any]:
    """The station's configuration (mirror, scanner) from the journal's first link, which the
    chain and the paper codes protect; a loose station.json is not read."""
    return Journal.configuration(data / JOURNAL)


def open_station(data: Path, hq_key: Path | None, development: bool = False) -> Station:
    pkg = load_election(data / PACKAGE, hq_key)
    journal = Journal.open_configured(data / JOURNAL, SystemClock())
    return Station(journal, pkg, development)


# Commands that change the station: each names who acts and holds the data folder's lock.
WRITES = {"init", "scan", "decide", "settle", "test-report", *LIFECYCLE}


def development_switch(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "development", False)) or os.environ.get("SANAQ_DEVELOPMENT") == "1"


def _write_atomic(path: Path, data: bytes) -> None:
    """Write-then-rename, synced: a refused or interrupted write never leaves a half file."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SanaqError("file_unwritable", f"{path}: {exc.strerror}") from exc


def _warn(code: str, detail: str) -> None:
    print(
        json.dumps({"warning": SanaqError(error_code(code), detail).as_dict()}, ensure_ascii=False),
        file=sys.stderr,
    )


def _print(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=1))


def run(args: argparse.Namespace) -> int:
    held: list[int] = []  # the data folder's lock, released when the command ends
    try:
        return _run(args, held)
    finally:
        for fd in held:
            os.close(fd)


def _hold(held: list[int], fd: int | None) -> None:
    if fd is not None:
        held.append(fd)


def _run(args: argparse.Namespace, held: list[int]) -> int:
    writes = args.action in WRITES
    if writes and (not args.role or not (args.member or "").strip()):
        raise SanaqError("actor_required", f"{args.action}: give --role and --member")
    if args.action == "init":
        return _init(args, held)
    _hold(held, lock_data(args.data, required=writes))
    if args.action == "verify":
        return _verify(args)
    station = open_station(args.data, args.hq_key, development_switch(args))
    if args.action == "decide":
        # secret7 (attack6): refused while the polls are open before any link (a clock warning,
        # the actor) is written at that place in the chain.
        station.journal.check_review_allowed()
    if writes:
        for code, detail in station.check_clock():
            _warn(code, detail)
    if args.action in LIFECYCLE:
        return _lifecycle(args, station)
    return _COMMANDS[args.action](args, station)


def _init(args: argparse.Namespace, held: list[int]) -> int:
    data: Path = args.data
    development = development_switch(args)
    if (data / JOURNAL).exists():
        raise SanaqError("journal_exists", str(data / JOURNAL))
    # Everything is checked before anything is written: a refused package never stays
    # behind as election.json.
    package_bytes = read_package_file(args.election) if args.election else sample_package_bytes()
    pkg = verify_package(package_bytes, trust(args.hq_key))
    not_official = development_reason(pkg)
    if not_official is not None and not development:
        raise SanaqError("package_not_official", not_official)
    stations = [s.id for s in pkg.election.stations]
    station = args.station or (stations[0] if len(stations) == 1 else None)
    if station not in stations:
        raise SanaqError("unknown_station", str(args.station))
    try:
        data.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SanaqError("journal_unwritable", f"{data}: {exc.strerror}") from exc
    _hold(held, lock_data(data))
    if (data / JOURNAL).exists():
        raise SanaqError("journal_exists", str(data / JOURNAL))
    _write_atomic(data / PACKAGE, package_bytes)
    mirror = args.mirror.resolve() if args.mirror else None
    journal = Journal.create(data / JOURNAL, pkg.election_hash, station, SystemClock(), mirror, args.scanner)
    made = Station(journal, pkg, development)
    made.note_actor("init", args.role, args.member, development)
    for code, detail in made.check_clock():
        _warn(code, detail)
    config = journal.config()
    journal.close()
    print(
        f"station {station} configured in {data} (election {pkg.election_hash[:12]}; "
        f"{pkg.key_label}); mirror: {mirror or 'none'}; device key {config['device_key_id']}"
    )
    if not_official is not None:
        print(f"DEVELOPMENT: this package is not for official counting ({not_official})")
    return 0


def _verify(args: argparse.Namespace) -> int:
    data: Path = args.data
    # The journal alone, without its mirror: an auditor's copy, possibly read-only.
    load_election(data / PACKAGE, args.hq_key)
    alone = Journal.open(data / JOURNAL, SystemClock())
    try:
        verified = alone.verify()
        # The clock as the audit tells it: times going backwards, warnings recorded.
        clock = audit_clock_report(alone.audit_events())
        # Each scanner's profile file against its signed link (issue 16, calib).
        from kiosk.calibration.store import check_files

        calibration = check_files(alone, data)
    finally:
        alone.close()
    _print(verified.to_json() | {"clock": clock, "calibration": calibration})
    return 0 if verified.ok and all(c["intact"] for c in calibration) else 3


def _lifecycle(args: argparse.Namespace, station: Station) -> int:
    data: Path = args.data
    development = development_switch(args)
    not_official = development_reason(station.package)
    if args.action == "open" and not_official is not None and not development:
        station.journal.refuse(args.role, "open", "package_not_official")
        raise SanaqError("package_not_official", not_official)
    station.note_actor(LIFECYCLE[args.action], args.role, args.member, development)
    # The station makes the paper (zero report, slip, closing report); this prints it.
    slip = station.transition(LIFECYCLE[args.action], args.role)
    print(f"{args.action}: now {slip.state}")
    print("\n".join(f"  {line}" for line in slip.lines()))
    if slip.report is not None:
        name = f"{slip.report['report']}-report.json"
        (data / "reports").mkdir(exist_ok=True)
        out = {**slip.report, "chain_head": slip.chain_head, "chain_code": slip.chain_code}
        (data / "reports" / name).write_text(json.dumps(out, indent=1, ensure_ascii=False))
        print(f"  -> {data / 'reports' / name}")
    return 0


def _scan(args: argparse.Namespace, station: Station) -> int:
    from drivers import open_scanner

    source = args.source or _config(args.data).get("scanner")
    if not source:
        raise SanaqError("scanner_url_invalid", "no scanner URL given and none set at init")
    scanner = open_scanner(source)

    def progress(s: ScanSummary) -> None:
        n = s.counted + s.returned
        if n % 25 == 0:
            print(f"  {n} sheets: {s.counted} counted, {s.returned} returned", file=sys.stderr, flush=True)

    with scanner:
        summary = station.scan(scanner, args.role, args.limit, progress, member=args.member)
    result = summary.to_json()
    if summary.stopped is not None:
        result["message"] = MESSAGES.get(summary.stopped)  # what to tell the member, kk/ru/en
    _print(result)
    return 0 if summary.stopped is None else 2


def _status(args: argparse.Namespace, station: Station) -> int:
    journal = station.journal
    official, test = journal.tally("official"), journal.tally("test")
    status = {
        "station": station.station_id,
        "state": journal.state,
        "session": journal.session,
        "official_sheets": official.sheets,
        "test_sheets": test.sheets,
        "pending": len(journal.pending()),
        "review_waiting": len(journal.review_sheets()),
        "mirror": journal.mirror is not None,
        # Labelled wherever it shows: a package not meant for official counting.
        "package": development_reason(station.package) or "official",
        "chain_code": journal.chain_code(),  # compare with the last slip the commission holds
    }
    if args.json:
        _print(status)
    else:
        for k, v in status.items():
            print(f"{k:15s} {v}")
    return 0


def _tally(args: argparse.Namespace, station: Station) -> int:
    t = station.journal.tally(args.mode).to_json(_invalid_keys(station))
    if args.json:
        _print(t)
    else:
        print(f"{t['mode']}: {t['sheets']} sheets, {t['pending']} pending")
        for contest, c in t["contests"].items():
            print(
                f"{contest}: "
                + ", ".join(f"{k} {v}" for k, v in c["options"].items())
                + f"; blank {c['blank']}, overvote {c['overvote']}, invalid {c['invalid']}, "
                f"review {c['review_pending']}"
            )
    return 0


def _review(args: argparse.Namespace, station: Station) -> int:
    # secret7 (attack6): while the polls are open the sheets set aside are decided later (after
    # close); only how many wait is shown, not their marks (the last voter's, just after a sheet).
    if review_refusal(station.journal.state) is not None:
        _print({"review_waiting": len(station.journal.review_sheets()), "decide": "after close"})
        return 0
    for sheet_id, reading in station.journal.review_sheets():
        _print({"sheet": sheet_id, "contests": reading["contests"]})
    return 0


def _decide(args: argparse.Namespace, station: Station) -> int:
    if args.outcome == "vote" and not args.choice:
        raise SanaqError("sheet_unknown", "--choice is needed for a vote")
    # secret7 (attack6): refused while the polls are open before anything is written (an actor
    # link there would place a waiting review among the sheets counted so far).
    station.journal.check_review_allowed()
    station.note_actor("decide", args.role, args.member, development_switch(args))
    decision = {
        "contest": args.contest,
        "outcome": args.outcome,
        "choice": args.choice if args.outcome == "vote" else None,
    }
    station.journal.decide_review(args.sheet, [decision], args.role, args.who, args.why)
    print("decided")
    return 0


def _settle(args: argparse.Namespace, station: Station) -> int:
    journal = station.journal
    pending = dict((h, s) for s, h in journal.pending())
    if args.handle not in pending:
        raise SanaqError("sheet_not_pending", args.handle)
    station.note_actor("settle", args.role, args.member, development_switch(args))
    journal.settle_by_commission(pending[args.handle], args.answer, args.role, args.who)
    print(f"settled: {args.answer}")
    return 0


def _cvr(args: argparse.Namespace, station: Station) -> int:
    for record in station.journal.cast_vote_records(args.mode):
        print(json.dumps(record, ensure_ascii=False))
    return 0


# The commands on an open station, apart from the lifecycle steps.
_COMMANDS: dict[str, Callable[[argparse.Namespace, Station], int]] = {
    "scan": _scan,
    "status": _status,
    "tally": _tally,
    "review": _review,
    "decide": _decide,
    "settle": _settle,
    "cvr": _cvr,
    "test-deck": lambda a, s: _test_deck(a, s),
    "test-report": lambda a, s: _test_report(a, s),
}


# --- the logic-and-accuracy test (issue 16) --------------------------------------------------------


def _test_deck(args: argparse.Namespace, station: Station) -> int:
    from kiosk.calibration.testdeck import write_test_deck
    from kiosk.calibration.thresholds import recorded_thresholds

    plan = write_test_deck(
        station.package.election,
        station.package.election_hash,
        station.station_id,
        args.out,
        recorded_thresholds(station.journal),
        args.scheme,
        args.dpi,
        pdf=not args.no_pdf,
    )
    _print({"out": str(args.out), "scheme": plan.scheme, **plan.expected["deck"]})
    return 0


def _test_report(args: argparse.Namespace, station: Station) -> int:
    import hashlib

    from kiosk.calibration.lat import receipt_lines, record_result, report_pdf, run_test_report

    try:
        expected = json.loads(args.expected.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SanaqError("test_deck_mismatch", f"{args.expected}: {exc}") from exc
    journal = station.journal
    result = run_test_report(
        journal,
        station.package.election,
        station.package.election_hash,
        station.station_id,
        station.invalid,
        expected,
    )
    at = SystemClock().now_iso()
    station.note_actor("test_report", args.role, args.member, development_switch(args))
    pdf = report_pdf(result, station.package.election, args.member, at)
    digest = hashlib.sha256(pdf).hexdigest()
    head = record_result(journal, args.role, args.member, result, expected, digest)
    out: Path = args.out or args.data / "reports"
    out.mkdir(parents=True, exist_ok=True)
    name = f"test-deck-{'passed' if result.passed else 'failed'}-{digest[:12]}.pdf"
    _write_atomic(out / name, pdf)
    summary: dict[str, Any] = {
        "passed": result.passed,
        "lines": len(result.lines),
        "differing": [ln.to_json() for ln in result.differing],
        "report": str(out / name),
        "report_sha256": digest,
        "chain_code": journal.chain_code(head),
    }
    if args.printer:
        from drivers.printer import PrintJob, PrintSpool, open_printer

        title, lines = receipt_lines(result, journal.chain_code(head), at)
        spool = PrintSpool(args.spool or args.data / "spool", open_printer(args.printer))
        spool.submit(PrintJob(title, lines))
        summary["receipt"] = {"lines": len(lines) + 1, "stopped": spool.pump()}
    _print(summary)
    return 0 if result.passed else 1


def _invalid_keys(station: Station) -> tuple[str, ...]:
    return station.invalid  # kiosk.election.rules.invalid_outcomes
