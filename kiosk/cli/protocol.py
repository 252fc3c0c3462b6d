"""`sanaq protocol --data DIR ...` (the commission's protocol) and `sanaq verify FILE...`.

`sanaq verify` exits 0 when every input verifies, otherwise with the stable exit code of
the first failure (VERIFY_EXIT); the JSON on stdout says what failed for every input.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.errors import SanaqError

JOURNAL = "journal.sqlite"
PACKAGE = "election.json"
ENROLMENT = "enrolment.json"
PROTOCOLS = "protocols"

VERIFY_EXIT: dict[str, int] = {
    "protocol_malformed": 10,
    "protocol_bad_signature": 11,
    "protocol_unknown_signer": 12,
    "protocol_enrolment_bad": 13,
    "protocol_enrolment_mismatch": 14,
    "protocol_unsigned": 15,
    "protocol_ratio_failed": 16,
    "protocol_superseded": 17,
    "protocol_form_mismatch": 18,
    "protocol_print_mismatch": 19,
    "protocol_qr_unreadable": 20,
}
VERIFY_OTHER = 2


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("protocol", help="the station protocol: enter, check, sign, finalise, print")
    # observer (issue 13): not required, so that `protocol observer-page` needs no station.
    p.add_argument("--data", type=Path, default=None, help="the station's data folder")
    p.add_argument(
        "--hq-key", type=Path, default=None, help="headquarters public key, PEM (default: DEVELOPMENT)"
    )
    ps = p.add_subparsers(dest="action", required=True)
    q = ps.add_parser("enter", help="the lines the commission enters, from a JSON file")
    q.add_argument(
        "--lines",
        type=Path,
        default=None,
        help='{"<contest or style>": {"<line id>": n, ...}} (default: ask)',
    )
    q.add_argument("--contest", default=None, help="asking: only this contest or style")
    q = ps.add_parser("check", help="build every protocol and check its control ratios")
    q.add_argument("--contest", default=None)
    q.add_argument("--json", action="store_true")
    q = ps.add_parser("sign", help="a commission member approves (or dissents from) the protocols")
    q.add_argument("--member", required=True)
    q.add_argument("--contest", default=None, help="contest or style id (default: every protocol)")
    q.add_argument("--dissent", default=None, metavar="REASON", help="record a dissent instead of approving")
    q.add_argument("--reason", default=None, help="why a finalised protocol is corrected")
    q.add_argument("--pin-stdin", action="store_true", help="read the PIN from standard input")
    q = ps.add_parser("finalise", help="finalise: device, chair and secretary approved, every ratio holds")
    q.add_argument("--contest", default=None)
    q = ps.add_parser("print", help="the printed protocol (A4 PDF with QR codes) of each finalised protocol")
    q.add_argument("--contest", default=None)
    q.add_argument("--out", type=Path, required=True)
    q = ps.add_parser(
        "export",
        help="the finalised protocols, NIST results and cast vote records to a USB stick (as `sanaq export`)",
    )
    q.add_argument("--to", type=Path, required=True, help="the USB stick's mount point")
    q.add_argument(
        "--protocol",
        type=Path,
        action="append",
        default=[],
        help="signed protocol files or folders (default: DATA/protocols, the finalised ones)",
    )
    q.add_argument("--mode", choices=("official", "test"), default="official")
    q = ps.add_parser("member-add", help="generate a member's key, stored encrypted under the member's PIN")
    q.add_argument("--member", required=True)
    q.add_argument("--role", required=True, choices=("chair", "secretary", "member"))
    q.add_argument("--pin-stdin", action="store_true")
    q = ps.add_parser("roster", help="headquarters: sign the enrolment (device key + roster) of a station")
    q.add_argument(
        "--key", type=Path, default=None, help="headquarters private key PEM (default: DEVELOPMENT)"
    )
    q.add_argument("--out", type=Path, required=True)
    q = ps.add_parser("enrol", help="install the enrolment signed by headquarters")
    q.add_argument("--roster", type=Path, required=True)
    # --- kioskpolish (issue 14): the technicians' roster for the kiosk (kiosk/ui/technicians.py) ---
    q = ps.add_parser(
        "technician-add", help="generate a technician's key (the kiosk's roster), encrypted under their PIN"
    )
    q.add_argument("--member", required=True, help="the technician's id")
    q.add_argument("--pin-stdin", action="store_true")
    q = ps.add_parser(
        "technicians", help="headquarters: sign the technicians' roster (device key + technicians) of a kiosk"
    )
    q.add_argument(
        "--key", type=Path, default=None, help="headquarters private key PEM (default: DEVELOPMENT)"
    )
    q.add_argument("--out", type=Path, required=True)
    q = ps.add_parser("technicians-enrol", help="install the technicians' roster signed by headquarters")
    q.add_argument("--roster", type=Path, required=True)
    # --- end kioskpolish ---
    ps.add_parser("status", help="versions, signatures and PIN events")
    q = ps.add_parser("receipt", help="the zero or polls-closed report as a thermal receipt (text, no QR)")
    q.add_argument("kind", choices=("zero", "closed"))
    q.add_argument(
        "--to", required=True, help="printer URL (escpos+net://, escpos+serial://, escpos+usb://, cups://)"
    )
    q.add_argument("--spool", type=Path, default=None, help="spool folder (default: DATA/spool)")

    # --- observer (issue 13): the observer's verifier page ---
    q = ps.add_parser("observer-page", help="write the observer's verifier: one offline HTML page")
    q.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    q.add_argument(
        "--hq-key", dest="page_hq_key", type=Path, default=None, help="headquarters public key, PEM"
    )
    q.add_argument(
        "--election",
        type=Path,
        action="append",
        default=[],
        help="an election package whose forms to build in",
    )
    # --- end observer ---
    v = sub.add_parser(
        "verify", help="verify signed protocols: JSON files, printed PDFs, photos of the QR codes"
    )
    v.add_argument("inputs", type=Path, nargs="+")
    v.add_argument(
        "--hq-key", type=Path, default=None, help="headquarters public key, PEM (default: DEVELOPMENT)"
    )
    v.add_argument(
        "--election", type=Path, default=None, help="the election package: check the form and the print"
    )
    v.add_argument(
        "--journal", type=Path, default=None, help="the station journal: refuse superseded versions"
    )


def _pin(args: argparse.Namespace, prompt: str) -> str:
    if args.pin_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass(prompt)


def _print(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=1))


def _desk(data: Path, hq_key: Path | None) -> tuple[Any, Any, Any]:
    from kiosk.cli.station import open_station
    from kiosk.election.load import trust
    from kiosk.protocol.desk import Desk
    from kiosk.protocol.signed import verify_enrolment
    from kiosk.protocol.store import ProtocolStore
    from kiosk.station.service import SystemClock

    station = open_station(data, hq_key)
    store = ProtocolStore.open(data / JOURNAL, SystemClock().now_iso)
    try:
        jws = json.loads((data / ENROLMENT).read_text())
    except FileNotFoundError as exc:
        raise SanaqError(
            "protocol_enrolment_bad", f"{data / ENROLMENT} missing: run `sanaq protocol enrol`"
        ) from exc
    except ValueError as exc:
        raise SanaqError("protocol_enrolment_bad", str(exc)) from exc
    t = trust(hq_key)
    enrolment = verify_enrolment(jws, t)
    pkg = station.package
    if enrolment.election_hash != pkg.election_hash or enrolment.station != station.station_id:
        raise SanaqError("protocol_enrolment_mismatch", "the enrolment is for another election or station")
    desk = Desk(pkg.election, pkg.election_hash, station.station_id, store, jws, t)
    return desk, station, store


def _facts(station: Any, contest: str) -> Any:
    from kiosk.protocol.desk import JournalFacts, commission_decided

    journal = station.journal
    counters = journal.tally("official").contests.get(contest, {})
    return JournalFacts(
        dict(counters),
        commission_decided(journal.cast_vote_records("official"), contest),
        journal.counting_head(),
    )


def _ask_lines(desk: Any, name: str | None) -> dict[str, dict[str, int]]:
    """Interactive entry: each entered line of each protocol, asked in Kazakh and Russian.
    A value that is not a whole number is asked again (three times at most)."""
    out: dict[str, dict[str, int]] = {}
    for contest in _contests(desk, name):
        form = desk.election.protocol(contest)
        if form is None:
            raise SanaqError("protocol_no_form", contest)
        print(f"== {desk.election.contest(contest).title.kk} / {desk.election.contest(contest).title.ru}")
        lines: dict[str, int] = {}
        for ln in form.lines:
            if ln.source != "entered":
                continue
            for _ in range(3):
                print(f"{ln.number}. {ln.title.kk} / {ln.title.ru}: ", end="", flush=True)
                answer = sys.stdin.readline()
                if not answer:
                    raise SanaqError("protocol_input_invalid", "input ended")
                if answer.strip().isdigit():
                    lines[ln.id] = int(answer.strip())
                    break
                print("  ? бүтін сан / целое число")
            else:
                raise SanaqError("protocol_line_value", f"{contest}.{ln.id}")
        out[contest] = lines
    return out


def _contests(desk: Any, name: str | None) -> list[str]:
    return [desk.contest_of(name)] if name else list(desk.contests())


def run(args: argparse.Namespace) -> int:
    if args.command == "verify":
        return run_verify(args)
    # --- observer (issue 13) ---
    if args.action == "observer-page":
        return _observer_page(args)
    if args.data is None:
        print("sanaq protocol: error: the following arguments are required: --data", file=sys.stderr)
        return 2
    # --- end observer ---
    data: Path = args.data
    if args.action in _DATA_ACTIONS:
        return _DATA_ACTIONS[args.action](args, data)
    if args.action == "roster":
        return _roster(args)
    if args.action in _TECHNICIAN_ACTIONS:  # kioskpolish (issue 14)
        return _TECHNICIAN_ACTIONS[args.action](args, data)
    if args.action == "receipt":
        return _receipt(args)
    desk, station, store = _desk(data, args.hq_key)
    return _DESK_ACTIONS[args.action](args, desk, station, store)


def _export(args: argparse.Namespace, data: Path) -> int:
    from kiosk.cli.export import run as run_export

    protocols = args.protocol or ([data / PROTOCOLS] if (data / PROTOCOLS).is_dir() else [])
    return run_export(
        argparse.Namespace(
            action=None, data=data, to=args.to, protocol=protocols, mode=args.mode, hq_key=args.hq_key
        )
    )


def _member_add(args: argparse.Namespace, data: Path) -> int:
    from kiosk.protocol.keys import create_member_key

    pin = _pin(args, "PIN: ")
    if not (args.pin_stdin or not sys.stdin.isatty()) and getpass.getpass("PIN again: ") != pin:
        raise SanaqError("member_pin_wrong", "the two PINs differ")
    m = create_member_key(data, args.member, args.role, pin)
    print(f"member {m.member} ({m.role}) key made; public part in the roster: sanaq protocol roster")
    return 0


def _enrol(args: argparse.Namespace, data: Path) -> int:
    from kiosk.cli.station import open_station
    from kiosk.election.load import trust
    from kiosk.protocol.keys import raw_public
    from kiosk.protocol.signed import verify_enrolment

    raw = args.roster.read_bytes()
    try:
        jws = json.loads(raw)
    except ValueError as exc:
        raise SanaqError("protocol_enrolment_bad", "not JSON") from exc
    enrolment = verify_enrolment(jws, trust(args.hq_key))
    station = open_station(data, args.hq_key)
    if enrolment.election_hash != station.package.election_hash or enrolment.station != station.station_id:
        raise SanaqError("protocol_enrolment_mismatch", "the enrolment is for another election or station")
    from kiosk.protocol.keys import load_device_key

    if raw_public(load_device_key(data).public_key()) != enrolment.device_key:
        raise SanaqError("protocol_enrolment_mismatch", "the enrolled device key is not this kiosk's")
    (data / ENROLMENT).write_bytes(raw)
    print(f"enrolled: device and {len(enrolment.members)} members")
    return 0


def _enter(args: argparse.Namespace, desk: Any, station: Any, store: Any) -> int:
    from kiosk.protocol.desk import parse_entered

    if args.lines is None:
        done = desk.enter(_ask_lines(desk, args.contest))
    else:
        try:
            raw = args.lines.read_bytes()
        except OSError as exc:
            raise SanaqError("protocol_input_invalid", str(exc)) from exc
        done = desk.enter(parse_entered(raw))
    print(f"entered: {', '.join(done)}")
    return 0


def _check(args: argparse.Namespace, desk: Any, station: Any, store: Any) -> int:
    reports = [desk.check(c, _facts(station, c)) for c in _contests(desk, args.contest)]
    if args.json:
        _print(reports)
    else:
        for r in reports:
            print(
                f"{r['contest']}: {'ok' if r['ok'] else 'RATIO FAILS'}; decided by the commission {r['commission_decided']}"
            )
            for x in r["ratios"]:
                if not x["ok"]:
                    print(
                        f"  {x['id']}: {' + '.join(x['left'])} = {x['left_sum']} {x['op']} "
                        f"{' + '.join(x['right'])} = {x['right_sum']}; difference {x['difference']:+d}"
                    )
    return 0 if all(r["ok"] for r in reports) else 4


def _sign(args: argparse.Namespace, desk: Any, station: Any, store: Any) -> int:
    data: Path = args.data
    from kiosk.protocol.keys import load_device_key, unlock_member_key

    state = station.journal.state
    if state not in ("closed", "finalised", "exported", "synced"):
        raise SanaqError("protocol_not_ready", f"the station is {state}; close it first")
    # The device vouches for the counted lines: not from a journal whose chain or counters
    # do not agree with its records.
    report = station.journal.verify()
    if not report.ok:
        raise SanaqError("journal_corrupt", "; ".join(report.problems[:3]))
    contests = _contests(desk, args.contest)
    device = load_device_key(data)
    versions = [desk.prepare(c, _facts(station, c), device, args.reason) for c in contests]
    key = unlock_member_key(data, args.member, _pin(args, f"PIN for {args.member}: "), store)
    vote = "dissent" if args.dissent else "approve"
    for c, v in zip(contests, versions, strict=True):
        desk.sign_member(c, v, args.member, key, vote, args.dissent)
        print(f"{c} v{v.version}: {vote} by {args.member}")
    return 0


def _finalise(args: argparse.Namespace, desk: Any, station: Any, store: Any) -> int:
    data: Path = args.data
    for c in _contests(desk, args.contest):
        verified, path = desk.finalise(c, _facts(station, c), data / PROTOCOLS)
        print(f"{c} v{verified.protocol.version} finalised -> {path}")
    return 0


def _print_protocols(args: argparse.Namespace, desk: Any, station: Any, store: Any) -> int:
    from kiosk.protocol.printed import render_pdf
    from kiosk.protocol.signed import verify_document

    args.out.mkdir(parents=True, exist_ok=True)
    for c in _contests(desk, args.contest):
        v = store.current_finalised(c)
        if v is None:
            raise SanaqError("protocol_not_ready", f"{c}: not finalised")
        doc = desk.document(c, v)
        verified = verify_document(doc, desk.trust)
        path = args.out / f"{verified.protocol.style}.v{v.version}.pdf"
        path.write_bytes(render_pdf(verified, doc, desk.election))
        print(f"{c} v{v.version} -> {path}")
    return 0


def _status(args: argparse.Namespace, desk: Any, station: Any, store: Any) -> int:
    out = {}
    for c in desk.contests():
        out[c] = [
            {
                "version": v.version,
                "sha256": v.sha256,
                "replaces": v.replaces,
                "reason": v.reason,
                "finalised": v.finalised,
                "signers": [s for s, _, _ in store.signatures(c, v.version)],
            }
            for v in store.versions(c)
        ]
    _print(
        {
            "protocols": out,
            "pin_events": [e for e in store.audit_events() if e["kind"].startswith("pin_")],
        }
    )
    return 0


_DATA_ACTIONS: dict[str, Callable[[argparse.Namespace, Path], int]] = {
    "export": _export,
    "member-add": _member_add,
    "enrol": _enrol,
}
_DESK_ACTIONS: dict[str, Callable[[argparse.Namespace, Any, Any, Any], int]] = {
    "enter": _enter,
    "check": _check,
    "sign": _sign,
    "finalise": _finalise,
    "print": _print_protocols,
    "status": _status,
}


def _receipt(args: argparse.Namespace) -> int:
    from drivers.printer import PrintJob, PrintSpool, open_printer
    from kiosk.cli.station import open_station
    from kiosk.protocol.receipts import receipt_lines
    from kiosk.station.service import SystemClock

    station = open_station(args.data, args.hq_key)
    journal = station.journal
    state = journal.state
    wanted = {"zero": ("open", "paused"), "closed": ("closed", "finalised", "exported", "synced")}[args.kind]
    if state not in wanted:
        raise SanaqError("protocol_not_ready", f"the station is {state}")
    title, lines = receipt_lines(
        args.kind,
        station.package.election,
        station.station_id,
        journal.tally("official").to_json(station.invalid),
        journal.chain_head(),
        SystemClock().now_iso(),
    )
    spool = PrintSpool(args.spool or args.data / "spool", open_printer(args.to))
    spool.submit(PrintJob(title, lines))
    stopped = spool.pump()
    print(json.dumps({"lines": len(lines) + 1, "waiting": len(spool.waiting()), "stopped": stopped}))
    return 0 if stopped is None else 2


def _roster(args: argparse.Namespace) -> int:
    """Demo and test convenience: headquarters builds the enrolment from the public parts
    (in the field they travel to headquarters; no private key leaves the kiosk)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from kiosk.cli.station import open_station
    from kiosk.election.package import development_private_key, load_private_key
    from kiosk.protocol.keys import member_public, raw_public
    from kiosk.protocol.sample import make_enrolment

    data: Path = args.data
    station = open_station(data, args.hq_key)
    pub = serialization.load_pem_public_key((data / "device.pub").read_bytes())
    if not isinstance(pub, Ed25519PublicKey):
        raise SanaqError("device_key_missing", "device.pub is not Ed25519")
    # The device key the enrolment names is the one the journal's signed configure link names,
    # not whatever device.pub holds (found by the attack review: a replaced device.pub).
    if raw_public(pub).hex() != station.journal.config()["device_key"]:
        raise SanaqError("device_key_invalid", "device.pub is not the device key named in the journal")
    members = []
    for f in sorted((data / "members").glob("*.key")):
        m = member_public(data, f.stem)
        members.append((m.member, m.role, m.public))
    hq = load_private_key(args.key.read_bytes()) if args.key else development_private_key()
    jws = make_enrolment(station.package, station.station_id, raw_public(pub), members, hq)
    args.out.write_text(json.dumps(jws, indent=1) + "\n")
    print(f"enrolment of station {station.station_id}: device + {len(members)} members -> {args.out}")
    return 0


# --- kioskpolish (issue 14): the technicians' roster for the kiosk -----------------------------


def _technician_add(args: argparse.Namespace, data: Path) -> int:
    """The kiosk: a technician's key, encrypted under their PIN, in DATA/technicians/members
    (not DATA/members: that is the commission's roster)."""
    from kiosk.protocol.keys import create_member_key
    from kiosk.ui.technicians import KEYS, TECHNICIAN

    pin = _pin(args, "PIN: ")
    if not (args.pin_stdin or not sys.stdin.isatty()) and getpass.getpass("PIN again: ") != pin:
        raise SanaqError("member_pin_wrong", "the two PINs differ")
    if (data / "members" / f"{args.member}.key").exists():
        raise SanaqError("member_key_exists", f"{args.member} is on the commission's roster")
    m = create_member_key(data / KEYS, args.member, TECHNICIAN, pin)
    print(f"technician {m.member} key made; public part in the roster: sanaq protocol technicians")
    return 0


def _technicians(args: argparse.Namespace, data: Path) -> int:
    """Headquarters signs the technicians' roster of one kiosk: its election, station and device
    key (the one the journal's signed configure link names) and each technician's public key.
    As `roster`, built here from the public parts for the demo and tests; in the field they
    travel to headquarters and no private key leaves the kiosk."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from kiosk.cli.station import open_station
    from kiosk.election.package import development_private_key, load_private_key
    from kiosk.protocol.keys import member_public, raw_public
    from kiosk.ui.technicians import KEYS, TechnicianRoster, sign_roster

    station = open_station(data, args.hq_key)
    pub = serialization.load_pem_public_key((data / "device.pub").read_bytes())
    if not isinstance(pub, Ed25519PublicKey):
        raise SanaqError("device_key_missing", "device.pub is not Ed25519")
    if raw_public(pub).hex() != station.journal.config()["device_key"]:
        raise SanaqError("device_key_invalid", "device.pub is not the device key named in the journal")
    commission = {f.stem for f in (data / "members").glob("*.key")}
    techs = []
    for f in sorted((data / KEYS / "members").glob("*.key")):
        if f.stem in commission:
            raise SanaqError("member_key_exists", f"{f.stem} is on the commission's roster too")
        techs.append((f.stem, member_public(data / KEYS, f.stem).public))
    if not techs:
        raise SanaqError("members_missing", "no technician key: sanaq protocol technician-add")
    hq = load_private_key(args.key.read_bytes()) if args.key else development_private_key()
    roster = TechnicianRoster(
        station.package.election_hash, station.station_id, raw_public(pub), tuple(techs)
    )
    args.out.write_text(json.dumps(sign_roster(roster, hq), indent=1) + "\n")
    print(f"technicians of station {station.station_id}: {len(techs)} -> {args.out}")
    return 0


def _technicians_enrol(args: argparse.Namespace, data: Path) -> int:
    """The kiosk installs the technicians' roster as DATA/technicians.json, checked first:
    signed by headquarters over exactly these bytes (technician_roster_bad), for this election,
    station and device key (technician_roster_mismatch), each technician's key file the one
    named."""
    from kiosk.cli.station import open_station
    from kiosk.election.load import trust
    from kiosk.protocol.keys import load_device_key, member_public, raw_public
    from kiosk.ui.technicians import KEYS, ROSTER, check_roster_for, verify_roster

    raw = args.roster.read_bytes()
    try:
        jws = json.loads(raw)
    except ValueError as exc:
        raise SanaqError("technician_roster_bad", "not JSON") from exc
    roster = verify_roster(jws, trust(args.hq_key))
    station = open_station(data, args.hq_key)
    device = raw_public(load_device_key(data).public_key())
    check_roster_for(roster, station.package.election_hash, station.station_id, device)
    for tid, key in roster.technicians:
        if member_public(data / KEYS, tid).public != key:
            raise SanaqError("member_key_corrupt", f"{tid}: not the key the roster names")
    (data / ROSTER).write_bytes(raw)
    print(f"technicians enrolled: {len(roster.technicians)}")
    return 0


_TECHNICIAN_ACTIONS: dict[str, Callable[[argparse.Namespace, Path], int]] = {
    "technician-add": _technician_add,
    "technicians": _technicians,
    "technicians-enrol": _technicians_enrol,
}


# --- verify ---------------------------------------------------------------------------------


def run_verify(args: argparse.Namespace) -> int:
    from kiosk.election.load import load_election, trust

    t = trust(args.hq_key)
    package = None
    if args.election is not None:
        package = load_election(args.election, args.hq_key)
    results: list[dict[str, Any]] = []
    documents, pdfs = _read_inputs(args.inputs, results)
    verified = []
    for k, (source, data, _kind) in enumerate(documents):
        try:
            v, checked = _verify_one(data, t, package, pdfs.get(k))
            verified.append((source, v))
            results.append({"input": source, **v.to_json(), "checked": checked})
        except SanaqError as exc:
            results.append(_fail(source, exc))
    _mark_superseded(verified, results, args.journal)
    _print({"results": results})
    for r in results:
        if not r.get("ok"):
            return VERIFY_EXIT.get(r["error"]["code"], VERIFY_OTHER)
    return 0


def _read_inputs(
    inputs: list[Path], results: list[dict[str, Any]]
) -> tuple[list[tuple[str, bytes, str]], dict[int, Path]]:
    """The signed files given, and those rebuilt from QR codes (each PDF one printed
    protocol; photos pooled, one protocol may span photos). Failures go to `results`."""
    documents: list[tuple[str, bytes, str]] = []  # (source, file bytes, kind)
    for path in inputs:
        if path.suffix.lower() == ".json":
            try:
                documents.append((str(path), path.read_bytes(), "json"))
            except OSError as exc:
                results.append(_fail(str(path), SanaqError("protocol_malformed", str(exc))))
    qr_sources = [p for p in inputs if p.suffix.lower() != ".json"]
    pdfs: dict[int, Path] = {}
    if not qr_sources:
        return documents, pdfs
    from kiosk.protocol import compact
    from kiosk.protocol.scan import texts_from
    from kiosk.protocol.signed import to_file_bytes

    groups = [[p] for p in qr_sources if p.suffix.lower() == ".pdf"]
    photos = [p for p in qr_sources if p.suffix.lower() != ".pdf"]
    if photos:
        groups.append(photos)
    for group in groups:
        try:
            texts = texts_from(group)
            if not texts:
                raise SanaqError("protocol_qr_unreadable", "no protocol QR code found")
            for blob in compact.join(texts):
                documents.append((",".join(map(str, group)), to_file_bytes(compact.from_binary(blob)), "qr"))
                if group[0].suffix.lower() == ".pdf":
                    pdfs[len(documents) - 1] = group[0]
        except SanaqError as exc:
            results.append(_fail(",".join(map(str, group)), exc))
    return documents, pdfs


def _mark_superseded(
    verified: list[tuple[str, Any]], results: list[dict[str, Any]], journal: Path | None
) -> None:
    """Replays: a version that another input, or the journal, says was replaced."""
    replaced = {
        (v.protocol.station, v.protocol.contest, v.protocol.replaces.sha256): v.protocol.version
        for _, v in verified
        if v.protocol.replaces
    }
    latest_final: dict[str, int] = {}
    if journal is not None:
        from kiosk.protocol.store import ProtocolStore

        store = ProtocolStore.read(journal)
        for _, v in verified:
            cur = store.current_finalised(v.protocol.contest)
            if cur is not None:
                latest_final[v.protocol.contest] = cur.version
        store.close()
    for source, v in verified:
        p = v.protocol
        newer = replaced.get((p.station, p.contest, v.digest))
        if newer is None and latest_final.get(p.contest, p.version) > p.version:
            newer = latest_final[p.contest]
        if newer is None:
            continue
        for r in results:
            if r.get("input") == source and r.get("sha256") == v.digest:
                r.clear()
                r.update(
                    _fail(source, SanaqError("protocol_superseded", f"v{p.version} replaced by v{newer}"))
                )


def _fail(source: str, exc: SanaqError) -> dict[str, Any]:
    return {"input": source, "ok": False, "error": exc.as_dict()}


def _verify_one(data: bytes, trust: Any, package: Any, pdf: Path | None) -> tuple[Any, dict[str, bool]]:
    """The verified protocol and what beyond the signatures and ratios could be checked:
    the form (needs the package) and the print (a PDF input, and the package)."""
    from kiosk.election.load import load_election
    from kiosk.protocol.model import matches_form
    from kiosk.protocol.signed import parse_file, verify_document

    document = parse_file(data)
    v = verify_document(document, trust)
    if package is None:
        sample = load_election(None)
        if sample.election_hash == v.protocol.election_hash:
            package = sample
    checked = {"form": package is not None, "print": package is not None and pdf is not None}
    if package is not None:
        if package.election_hash != v.protocol.election_hash:
            raise SanaqError("protocol_enrolment_mismatch", "the protocol is for another election package")
        form = package.election.protocol(v.protocol.contest)
        if form is None or not matches_form(v.protocol, form):
            raise SanaqError("protocol_form_mismatch", v.protocol.contest)
        if pdf is not None:
            from kiosk.protocol.printed import render_pdf

            if render_pdf(v, document, package.election) != pdf.read_bytes():
                raise SanaqError(
                    "protocol_print_mismatch", f"{pdf.name} is not the print of this signed protocol"
                )
    return v, checked


def verify_main(argv: list[str] | None = None) -> int:
    """`python -m kiosk.cli.protocol FILE...`: the same as `sanaq verify`, without the
    station's imports (the reader's compiled kernels), for a quick start on any computer."""
    parser = argparse.ArgumentParser(prog="sanaq-verify")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parsers(sub)
    args = parser.parse_args(["verify", *(sys.argv[1:] if argv is None else argv)])
    try:
        return run_verify(args)
    except SanaqError as exc:
        print(json.dumps({"error": exc.as_dict()}, ensure_ascii=False), file=sys.stderr)
        return VERIFY_OTHER


if __name__ == "__main__":
    sys.exit(verify_main())


# --- observer (issue 13): the observer's verifier page ---------------------------------------


def _observer_page(args: argparse.Namespace) -> int:
    """The page with the headquarters key built in, and the forms of the packages that key
    signed: the given ones, else the built-in sample when it verifies under that key."""
    import os

    from kiosk.election.load import load_election, trust
    from kiosk.protocol.observer import build_page

    hq_path = args.page_hq_key or args.hq_key
    ((_kid, (public, label)),) = trust(hq_path).items()
    if args.election:
        loaded = [load_election(path, hq_path) for path in args.election]
    else:
        try:
            loaded = [load_election(None, hq_path)]
        except SanaqError:
            loaded = []
    from kiosk import __version__

    page = build_page(public, label, [(p.election_hash, p.election) for p in loaded], f"sanaq {__version__}")
    tmp = args.out.with_name(args.out.name + ".tmp")
    try:
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, args.out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SanaqError("file_unwritable", f"{args.out}: {exc.strerror}") from exc
    _print(
        {
            "out": str(args.out),
            "hq_kid": _kid,
            "packages": [p.election_hash for p in loaded],
            "bytes": len(page.encode()),
        }
    )
    return 0
