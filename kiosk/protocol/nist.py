"""NIST common data formats: SP 1500-100 v2 Election Results Reporting (ERR) and SP 1500-103
Cast Vote Records (CVR), as JSON, built from the election package and the station's journal.

Pure functions over plain data: the caller reads the journal (`tally`, `cast_vote_records`)
and passes what it read. Both documents use the same object ids, so a reader can join them:

    ru-scope                  the election's jurisdiction (ElectionScopeId)
    ru-district-<contest>     the district a contest is elected in
    ru-station-<station>      the polling station (a precinct): every count is reported on it
    dev-<key id>              the kiosk (ReportingDevice), named by its device key
    party-<id>                a party (party-list options; candidates' parties matched by name)
    cand-<contest>:<option>   a candidate, and "against all" as a candidate-like choice
    contest-<contest>, sel-<contest>:<option>

Package ids never hold ':' (`ID_PATTERN`), so these ids cannot collide whatever the package's
ids are; a duplicate would make the export refuse (`check_references`).

"Against all" has no NIST type of its own: it is a CandidateSelection naming a Candidate whose
ExternalIdentifier (ERR) / Code (CVR) says `sanaq-option-kind = against-all` (docs/export.md).

Secrecy of the CVR file: one CVR per counted sheet, no time, no sequence, no mark scores (a
score pattern could single out a sheet), no commission member's name. CVRs are sorted by
their content and numbered after sorting, so the file is a function of the multiset of
ballots only: counting the same box in another order gives the same bytes.

The schemas are draft-04; their `refTypes` keyword is ignored by validators, so
`check_references` resolves every id reference itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from kiosk.election.model import Contest, Election, Option, Text
from kiosk.vocabulary import Mode as Mode
from kiosk.vocabulary import option_key

Kind = Literal["err", "cvr"]

SCHEMA_FILES: dict[Kind, str] = {
    "err": "NIST_V2_election_results_reporting.json",
    "cvr": "NIST_V0_cast_vote_records.json",
}
# The vendored files, checked by a test against schemas/PROVENANCE.
SCHEMA_SHA256: dict[Kind, str] = {
    "err": "55c1c6382bf5ba369ae05d58c3f4bab6b487a2e8c01720ee87209b9a85e5d3db",
    "cvr": "f1b037e6303450b451dcf5c7a0db2ab025c5869376242ed772cb4f05b1944e89",
}
AGAINST_ALL_KIND = "against-all"


@dataclass(frozen=True)
class ReportContext:
    """What the documents say about who made them and when (the only time in them)."""

    election: Election
    election_hash: str
    station_id: str
    device_id: str  # the device key's id (RFC 7638 thumbprint)
    generated: str  # ISO 8601 with zone, e.g. 2023-03-19T20:15:00+06:00
    software: str  # "sanaq 0.1.0"
    mode: Mode = "official"


# --- schemas and checks ----------------------------------------------------------------------------


def schema_bytes(kind: Kind) -> bytes:
    return (resources.files("kiosk.protocol") / "schemas" / SCHEMA_FILES[kind]).read_bytes()


@cache
def schema(kind: Kind) -> dict[str, Any]:
    return dict(json.loads(schema_bytes(kind)))


def _format_checker() -> FormatChecker:
    checker = FormatChecker(("date",))

    checker.checks("date-time", raises=ValueError)(_date_time)
    return checker


def _date_time(value: object) -> bool:
    """RFC 3339: a full date and time with a zone (jsonschema checks it only with an extra package)."""
    if not isinstance(value, str):
        return True  # the type check reports a non-string
    if "T" not in value:
        return False
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None


@cache
def _validator(kind: Kind) -> Draft4Validator:
    s = schema(kind)
    Draft4Validator.check_schema(s)
    return Draft4Validator(s, format_checker=_format_checker())


def _closest(error: ValidationError) -> ValidationError:
    """Within a oneOf, the error of the branch whose @type the object has (else the error itself)."""
    if not error.context:
        return error
    branches: dict[object, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    for subs in branches.values():
        if not any(list(sub.relative_path) == ["@type"] for sub in subs):
            deepest = max(subs, key=lambda sub: len(sub.absolute_path))
            return _closest(deepest)
    return error


def schema_problems(doc: Mapping[str, Any], kind: Kind) -> list[str]:
    """Draft-04 validation against the vendored schema: one line per error."""
    out = []
    for error in sorted(_validator(kind).iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path]):
        # A oneOf failure says only "not valid under any": name the closest branch's error.
        e = _closest(error)
        out.append(f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message[:300]}")
    return out


def _ref_types(prop_schema: Mapping[str, Any]) -> tuple[list[str] | None, bool]:
    """The refTypes of a property and whether it holds a list of ids."""
    if "refTypes" in prop_schema:
        return list(prop_schema["refTypes"]), False
    items = prop_schema.get("items")
    if isinstance(items, Mapping) and "refTypes" in items:
        return list(items["refTypes"]), True
    return None, False


def check_references(doc: Mapping[str, Any], kind: Kind) -> list[str]:
    """Every @id unique; every property the schema marks with `refTypes` names an object of one
    of those types in the same document."""
    definitions: dict[str, Any] = schema(kind)["definitions"]
    problems: list[str] = []
    ids: dict[str, str] = {}
    objects: list[tuple[str, Mapping[str, Any]]] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, Mapping):
            if isinstance(node.get("@type"), str):
                objects.append((path, node))
                if "@id" in node:
                    oid = node["@id"]
                    if oid in ids:
                        problems.append(f"{path}: @id {oid!r} used twice")
                    ids[str(oid)] = node["@type"]
            for k, v in node.items():
                walk(v, f"{path}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}/{i}")

    walk(doc, "")
    for path, obj in objects:
        definition = definitions.get(obj["@type"])
        if definition is None:
            problems.append(f"{path}: unknown @type {obj['@type']!r}")
            continue
        for prop, value in obj.items():
            prop_schema = definition.get("properties", {}).get(prop)
            if prop_schema is None:
                continue
            types, many = _ref_types(prop_schema)
            if types is None:
                continue
            values = value if many and isinstance(value, list) else [value]
            for ref in values:
                found = ids.get(ref) if isinstance(ref, str) else None
                if found is None:
                    problems.append(f"{path}/{prop}: {ref!r} names no object")
                elif found not in types:
                    problems.append(f"{path}/{prop}: {ref!r} is a {found}, not one of {types}")
    return problems


def problems(doc: Mapping[str, Any], kind: Kind) -> list[str]:
    """Schema errors and unresolved or mistyped id references; empty when the document is good."""
    return schema_problems(doc, kind) + check_references(doc, kind)


# --- ids and names -----------------------------------------------------------------------------------


def _contest_id(c: str) -> str:
    return f"contest-{c}"


def _sel_id(c: str, o: str) -> str:
    return f"sel-{c}:{o}"


def _cand_id(c: str, o: str) -> str:
    return f"cand-{c}:{o}"


def station_unit_id(station_id: str) -> str:
    return f"ru-station-{station_id}"


def device_unit_id(device_id: str) -> str:
    return f"dev-{device_id}"


SCOPE_ID = "ru-scope"


def _plain(t: Text) -> str:
    """The one-string name NIST wants in a few places: English if the package has it, else Russian."""
    return t.en or t.ru


def _i18n(t: Text) -> dict[str, Any]:
    texts = [("kk", t.kk), ("ru", t.ru)] + ([("en", t.en)] if t.en else [])
    return {
        "@type": "ElectionResults.InternationalizedText",
        "Text": [
            {"@type": "ElectionResults.LanguageString", "Language": lang, "Content": content}
            for lang, content in texts
        ],
    }


@dataclass(frozen=True)
class _Parties:
    """Party ids: a party-list option's id, and candidates' parties matched to them by name."""

    by_name: dict[tuple[str, str], str]
    names: dict[str, Text]


def _parties(election: Election) -> _Parties:
    by_name: dict[tuple[str, str], str] = {}
    names: dict[str, Text] = {}
    for c in election.contests:
        if c.kind != "party_list":
            continue
        for o in c.options:
            if not o.against_all and (o.name.kk, o.name.ru) not in by_name:
                pid = f"party-{o.id}"
                by_name[(o.name.kk, o.name.ru)] = pid
                names[pid] = o.name
    for c in election.contests:
        for o in c.options:
            if o.party is not None and (o.party.kk, o.party.ru) not in by_name:
                digest = hashlib.sha256(f"{o.party.kk}\n{o.party.ru}".encode()).hexdigest()[:12]
                pid = f"party:{digest}"  # a name no party-list option has
                by_name[(o.party.kk, o.party.ru)] = pid
                names[pid] = o.party
    return _Parties(by_name, names)


def _is_party_option(c: Contest, o: Option) -> bool:
    return c.kind == "party_list" and not o.against_all


def _station_contests(ctx: ReportContext) -> list[Contest]:
    """The contests on the station's ballot styles, in package order."""
    station = ctx.election.station(ctx.station_id)
    wanted = {ctx.election.style(s).contest for s in station.styles}
    return [c for c in ctx.election.contests if c.id in wanted]


# --- Election Results Reporting (SP 1500-100) ----------------------------------------------------------------


def _ext_id(kind: str, value: str) -> dict[str, Any]:
    return {"@type": "ElectionResults.ExternalIdentifier", "Type": "other", "OtherType": kind, "Value": value}


def results_report(
    ctx: ReportContext, contests: Mapping[str, Mapping[str, int]], sheets: int
) -> dict[str, Any]:
    """The station's results. `contests` is the journal tally's per-contest counters
    ({"option:<id>": n, "blank": n, "overvote": n, "review": n}); `sheets` its sheet count."""
    e = ctx.election
    station = e.station(ctx.station_id)
    su = station_unit_id(ctx.station_id)
    dev = device_unit_id(ctx.device_id)
    parties = _parties(e)
    mine = _station_contests(ctx)
    gp_units: list[dict[str, Any]] = [
        {
            "@id": SCOPE_ID,
            "@type": "ElectionResults.ReportingUnit",
            "Type": "other",
            "OtherType": "jurisdiction",
            "Name": _i18n(e.election.jurisdiction),
            "ComposingGpUnitIds": [su],
        },
        *(
            {
                "@id": f"ru-district-{c.id}",
                "@type": "ElectionResults.ReportingUnit",
                "Type": "other",
                "OtherType": "electoral-district",
                "Name": _i18n(c.title),
                "ComposingGpUnitIds": [su],
            }
            for c in mine
        ),
        {
            "@id": su,
            "@type": "ElectionResults.ReportingUnit",
            "Type": "precinct",
            "Name": _i18n(station.name),
            "Number": station.id,
            "VotersRegistered": station.voters_on_list,
            "ComposingGpUnitIds": [dev],
            "CountStatus": [{"@type": "ElectionResults.CountStatus", "Type": "total", "Status": "completed"}],
        },
        {
            "@id": dev,
            "@type": "ElectionResults.ReportingDevice",
            "DeviceClass": {
                "@type": "ElectionResults.DeviceClass",
                "Type": "opscan-precinct",
                "Manufacturer": "Sanaq",
                "Model": ctx.software,
            },
            "SerialNumber": ctx.device_id,
        },
    ]
    used_parties: set[str] = set()
    candidates: list[dict[str, Any]] = []
    report_contests: list[dict[str, Any]] = []
    for seq, c in enumerate(mine, start=1):
        counts = contests.get(c.id, {})
        selections: list[dict[str, Any]] = []
        for pos, o in enumerate(c.options, start=1):
            votes = [
                {
                    "@type": "ElectionResults.VoteCounts",
                    "GpUnitId": su,
                    "Type": "total",
                    "Count": int(counts.get(option_key(o.id), 0)),
                }
            ]
            if _is_party_option(c, o):
                pid = parties.by_name[(o.name.kk, o.name.ru)]
                used_parties.add(pid)
                selections.append(
                    {
                        "@id": _sel_id(c.id, o.id),
                        "@type": "ElectionResults.PartySelection",
                        "PartyIds": [pid],
                        "SequenceOrder": pos,
                        "VoteCounts": votes,
                    }
                )
                continue
            cand: dict[str, Any] = {
                "@id": _cand_id(c.id, o.id),
                "@type": "ElectionResults.Candidate",
                "BallotName": _i18n(o.name),
                "ExternalIdentifier": [_ext_id("sanaq-option-id", o.id)],
            }
            if o.against_all:
                cand["ExternalIdentifier"].append(_ext_id("sanaq-option-kind", AGAINST_ALL_KIND))
            elif o.self_nominated:
                cand["ExternalIdentifier"].append(_ext_id("sanaq-option-kind", "self-nominated"))
            if o.party is not None:
                cand["PartyId"] = parties.by_name[(o.party.kk, o.party.ru)]
                used_parties.add(cand["PartyId"])
            candidates.append(cand)
            selections.append(
                {
                    "@id": _sel_id(c.id, o.id),
                    "@type": "ElectionResults.CandidateSelection",
                    "CandidateIds": [cand["@id"]],
                    "SequenceOrder": pos,
                    "VoteCounts": votes,
                }
            )
        contest: dict[str, Any] = {
            "@id": _contest_id(c.id),
            "@type": "ElectionResults.PartyContest"
            if c.kind == "party_list"
            else "ElectionResults.CandidateContest",
            "Name": _plain(c.title),
            "BallotTitle": _i18n(c.title),
            "ElectionDistrictId": f"ru-district-{c.id}",
            "SequenceOrder": seq,
            "VoteVariation": "proportional" if c.kind == "party_list" else "plurality",
            "ExternalIdentifier": [_ext_id("sanaq-contest-id", c.id)],
            "ContestSelection": selections,
            # Blank ballots are undervotes and over-marked ones overvotes, one vote each (one
            # vote allowed). Both are the protocol's invalid ballots (docs/export.md).
            "OtherCounts": [
                {
                    "@type": "ElectionResults.OtherCounts",
                    "GpUnitId": su,
                    "Undervotes": int(counts.get("blank", 0)) * c.votes_allowed,
                    "Overvotes": int(counts.get("overvote", 0)) * c.votes_allowed,
                }
            ],
            "CountStatus": [{"@type": "ElectionResults.CountStatus", "Type": "total", "Status": "completed"}],
        }
        if c.kind == "single_mandate":
            contest["VotesAllowed"] = c.votes_allowed
            contest["NumberElected"] = c.seats
        report_contests.append(contest)
    styles = [
        {
            "@type": "ElectionResults.BallotStyle",
            "GpUnitIds": [su],
            "ExternalIdentifier": [_ext_id("sanaq-style-id", s.id)],
            "OrderedContent": [
                {
                    "@type": "ElectionResults.OrderedContest",
                    "ContestId": _contest_id(s.contest),
                    "OrderedContestSelectionIds": [
                        _sel_id(s.contest, o.id) for o in e.contest(s.contest).options
                    ],
                }
            ],
        }
        for s in (e.style(sid) for sid in station.styles)
    ]
    return {
        "@type": "ElectionResults.ElectionReport",
        "Format": "precinct-level",
        "GeneratedDate": ctx.generated,
        "Issuer": _plain(station.name),
        "IssuerAbbreviation": station.id,
        "IsTest": ctx.mode == "test" or not e.election.official,
        "SequenceStart": 1,
        "SequenceEnd": 1,
        # A station's count, finished and finalised; certified results come from the
        # higher commissions. Test-mode results are the logic-and-accuracy test's.
        "Status": "pre-election" if ctx.mode == "test" else "unofficial-complete",
        "VendorApplicationId": ctx.software,
        "ExternalIdentifier": [
            _ext_id("sanaq-election-hash", ctx.election_hash),
            _ext_id("sanaq-mode", ctx.mode),
        ],
        "GpUnit": gp_units,
        "Party": [
            {"@id": pid, "@type": "ElectionResults.Party", "Name": _i18n(parties.names[pid])}
            for pid in sorted(used_parties)
        ],
        "Election": [
            {
                "@type": "ElectionResults.Election",
                "ElectionScopeId": SCOPE_ID,
                "Name": _i18n(e.election.title),
                "StartDate": e.election.date.isoformat(),
                "EndDate": e.election.date.isoformat(),
                "Type": "general",
                "ExternalIdentifier": [_ext_id("sanaq-election-id", e.election.id)],
                # Sheets of every ballot type together: each contest has a ballot of its own.
                "BallotCounts": [
                    {
                        "@type": "ElectionResults.BallotCounts",
                        "GpUnitId": su,
                        "Type": "total",
                        "BallotsCast": sheets,
                    }
                ],
                "BallotStyle": styles,
                "Candidate": candidates,
                "Contest": report_contests,
                "CountStatus": [
                    {"@type": "ElectionResults.CountStatus", "Type": "total", "Status": "completed"}
                ],
            }
        ],
    }


# --- Cast Vote Records (SP 1500-103) ---------------------------------------------------------------------------


def _code(kind: str, value: str) -> dict[str, Any]:
    return {"@type": "CVR.Code", "Type": "other", "OtherType": kind, "Value": value}


def _position(indication: str, allocable: str, status: list[str] | None = None) -> dict[str, Any]:
    pos: dict[str, Any] = {
        "@type": "CVR.SelectionPosition",
        "HasIndication": indication,
        "NumberVotes": 1,
        "IsAllocable": allocable,
    }
    if status:
        pos["Status"] = status
    return pos


def _contest_body(
    contest: Contest, outcome: str, choice: str | None, marks: list[dict[str, Any]], adjudicated: bool
) -> dict[str, Any]:
    """One CVRContest without ids of its own (they are all references)."""
    position = {o.id: n for n, o in enumerate(contest.options, start=1)}
    body: dict[str, Any] = {"@type": "CVR.CVRContest", "ContestId": _contest_id(contest.id)}
    selections: list[dict[str, Any]] = []

    def selection(option: str, pos: dict[str, Any]) -> dict[str, Any]:
        return {
            "@type": "CVR.CVRContestSelection",
            "ContestSelectionId": _sel_id(contest.id, option),
            "OptionPosition": position[option],
            "SelectionPosition": [pos],
        }

    status_adj = ["adjudicated"] if adjudicated else None
    if outcome == "vote" and choice is not None:
        selections.append(selection(choice, _position("yes", "yes", status_adj)))
        body.update(Selections=1, Undervotes=0, Overvotes=0)
    elif outcome == "blank":
        body.update(Selections=0, Undervotes=contest.votes_allowed, Overvotes=0, Status=["undervoted"])
    elif outcome == "overvote":
        marked = [m["option"] for m in marks if m.get("mark") == "marked" and m.get("option") in position]
        for option in marked:
            selections.append(selection(option, _position("yes", "no", ["invalidated-rules"])))
        body.update(
            Selections=len(marked), Undervotes=0, Overvotes=contest.votes_allowed, Status=["overvoted"]
        )
    else:  # review: set aside for the commission, not yet decided
        for m in marks:
            if m.get("mark") in ("marked", "marginal") and m.get("option") in position:
                indication = "yes" if m["mark"] == "marked" else "unknown"
                selections.append(selection(m["option"], _position(indication, "unknown")))
        body.update(Selections=len(selections), OtherStatus="needs-adjudication", Status=["other"])
    if selections:
        body["CVRContestSelection"] = sorted(selections, key=lambda s: s["OptionPosition"])
    return body


def _cvr_body(e: Election, record: Mapping[str, Any], station_unit: str, device: str) -> dict[str, Any]:
    """A CVR without its own ids: what it says about one sheet, nothing about when."""
    reading = record["reading"]
    decision = record.get("decision") or None
    interpreted: list[dict[str, Any]] = []
    modified: list[dict[str, Any]] = []
    decided = {d["contest"]: d for d in (decision or {}).get("contests", [])}
    for c in reading["contests"]:
        contest = e.contest(c["contest"])
        marks = list(c.get("marks", []))
        interpreted.append(_contest_body(contest, c["outcome"], c.get("choice"), marks, False))
        d = decided.get(c["contest"])
        if d is not None:
            modified.append(_contest_body(contest, d["outcome"], d.get("choice"), [], True))
        else:
            modified.append(interpreted[-1])
    snapshots: list[dict[str, Any]] = [
        {"@type": "CVR.CVRSnapshot", "Type": "interpreted", "CVRContest": interpreted}
    ]
    if any(ct["OtherStatus"] == "needs-adjudication" for ct in interpreted if "OtherStatus" in ct):
        snapshots[0]["Status"] = ["needs-adjudication"]
    if decision is not None:
        snapshots.append(
            {
                "@type": "CVR.CVRSnapshot",
                "Type": "modified",
                "CVRContest": modified,
                # The role only: no name, no reason text, no time.
                "Annotation": [
                    {
                        "@type": "CVR.Annotation",
                        "AdjudicatorName": [str(decision.get("role", "commission"))],
                        "Message": ["decided by the precinct election commission"],
                    }
                ],
            }
        )
    return {
        "@type": "CVR.CVR",
        "BallotStyleId": record["style"],
        "BallotStyleUnitId": station_unit,
        "CreatingDeviceId": device,
        "CVRSnapshot": snapshots,
    }


def _sort_key(body: Mapping[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def cvr_report(ctx: ReportContext, records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The cast vote records of counted sheets (the journal's `cast_vote_records`), one CVR per
    sheet, sorted by content and numbered after sorting."""
    e = ctx.election
    station = e.station(ctx.station_id)
    su = station_unit_id(ctx.station_id)
    dev = device_unit_id(ctx.device_id)
    election_id = f"election-{e.election.id}"
    parties = _parties(e)
    mine = _station_contests(ctx)
    bodies = sorted((_cvr_body(e, r, su, dev) for r in records), key=_sort_key)
    cvrs: list[dict[str, Any]] = []
    any_adjudicated = False
    for n, body in enumerate(bodies, start=1):
        uid = f"cvr-{n:06d}"
        snaps = [dict(s, **{"@id": f"{uid}-{s['Type']}"}) for s in body["CVRSnapshot"]]
        any_adjudicated |= len(snaps) > 1
        cvrs.append(
            {
                **body,
                "ElectionId": election_id,
                "UniqueId": uid,
                "CVRSnapshot": snaps,
                "CurrentSnapshotId": snaps[-1]["@id"],
            }
        )
    used_parties: set[str] = set()
    candidates: list[dict[str, Any]] = []
    contests: list[dict[str, Any]] = []
    for c in mine:
        selections: list[dict[str, Any]] = []
        for o in c.options:
            if _is_party_option(c, o):
                pid = parties.by_name[(o.name.kk, o.name.ru)]
                used_parties.add(pid)
                selections.append(
                    {"@id": _sel_id(c.id, o.id), "@type": "CVR.PartySelection", "PartyIds": [pid]}
                )
                continue
            cand: dict[str, Any] = {
                "@id": _cand_id(c.id, o.id),
                "@type": "CVR.Candidate",
                "Name": _plain(o.name),
                "Code": [_code("sanaq-option-id", o.id)],
            }
            if o.against_all:
                cand["Code"].append(_code("sanaq-option-kind", AGAINST_ALL_KIND))
            if o.party is not None:
                cand["PartyId"] = parties.by_name[(o.party.kk, o.party.ru)]
                used_parties.add(cand["PartyId"])
            candidates.append(cand)
            selections.append(
                {"@id": _sel_id(c.id, o.id), "@type": "CVR.CandidateSelection", "CandidateIds": [cand["@id"]]}
            )
        contest: dict[str, Any] = {
            "@id": _contest_id(c.id),
            "@type": "CVR.PartyContest" if c.kind == "party_list" else "CVR.CandidateContest",
            "Name": _plain(c.title),
            "Code": [_code("sanaq-contest-id", c.id)],
            "VoteVariation": "proportional" if c.kind == "party_list" else "plurality",
            "ContestSelection": selections,
        }
        if c.kind == "single_mandate":
            contest["VotesAllowed"] = c.votes_allowed
            contest["NumberElected"] = c.seats
        contests.append(contest)
    report_types = ["originating-device-export"] + (["adjudicated"] if any_adjudicated else [])
    return {
        "@type": "CVR.CastVoteRecordReport",
        "Version": "1.0.0",
        "GeneratedDate": ctx.generated,
        "ReportType": report_types,
        "ReportGeneratingDeviceIds": [dev],
        "ReportingDevice": [
            {
                "@id": dev,
                "@type": "CVR.ReportingDevice",
                "Application": ctx.software,
                "Manufacturer": "Sanaq",
                "SerialNumber": ctx.device_id,
                "Code": [_code("sanaq-mode", ctx.mode)],
            }
        ],
        "GpUnit": [
            {
                "@id": SCOPE_ID,
                "@type": "CVR.GpUnit",
                "Type": "other",
                "OtherType": "jurisdiction",
                "Name": _plain(e.election.jurisdiction),
            },
            {
                "@id": su,
                "@type": "CVR.GpUnit",
                "Type": "precinct",
                "Name": _plain(station.name),
                "Code": [_code("sanaq-station-id", station.id)],
                "ReportingDeviceIds": [dev],
            },
        ],
        "Party": [
            {"@id": pid, "@type": "CVR.Party", "Name": _plain(parties.names[pid])}
            for pid in sorted(used_parties)
        ],
        "Election": [
            {
                "@id": election_id,
                "@type": "CVR.Election",
                "ElectionScopeId": SCOPE_ID,
                "Name": _plain(e.election.title),
                "Code": [
                    _code("sanaq-election-id", e.election.id),
                    _code("sanaq-election-hash", ctx.election_hash),
                ],
                "Candidate": candidates,
                "Contest": contests,
            }
        ],
        "CVR": cvrs,
        "Notes": "One CVR per counted sheet, sorted by content: the order says nothing of the voting order. "
        + ("TEST MODE." if ctx.mode == "test" else ""),
    }


# --- cross-checks ---------------------------------------------------------------------------------------------


def tally_from_cvrs(doc: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """The counters the CVR file implies, from each CVR's current snapshot, in the journal's keys."""
    out: dict[str, dict[str, int]] = {}
    for cvr in doc.get("CVR", []):
        current = next(s for s in cvr["CVRSnapshot"] if s["@id"] == cvr["CurrentSnapshotId"])
        for ct in current.get("CVRContest", []):
            contest = ct["ContestId"].removeprefix("contest-")
            if ct.get("OtherStatus") == "needs-adjudication":
                key = "review"
            elif ct.get("Overvotes"):
                key = "overvote"
            elif ct.get("Undervotes"):
                key = "blank"
            else:
                (sel,) = ct["CVRContestSelection"]
                key = option_key(sel["ContestSelectionId"].removeprefix(f"sel-{contest}:"))
            bucket = out.setdefault(contest, {})
            bucket[key] = bucket.get(key, 0) + 1
    return out


def tally_from_results(doc: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """The counters the results file reports, in the journal's keys (zeros left out)."""
    out: dict[str, dict[str, int]] = {}
    for election in doc.get("Election", []):
        for c in election.get("Contest", []):
            contest = c["@id"].removeprefix("contest-")
            bucket: dict[str, int] = {}
            for s in c.get("ContestSelection", []):
                n = sum(int(v["Count"]) for v in s.get("VoteCounts", []))
                if n:
                    bucket[option_key(s["@id"].removeprefix(f"sel-{contest}:"))] = n
            for oc in c.get("OtherCounts", []):
                if oc.get("Undervotes"):
                    bucket["blank"] = bucket.get("blank", 0) + int(oc["Undervotes"])
                if oc.get("Overvotes"):
                    bucket["overvote"] = bucket.get("overvote", 0) + int(oc["Overvotes"])
            out[contest] = bucket
    return out
