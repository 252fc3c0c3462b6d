"""NIST SP 1500-100 results and SP 1500-103 CVRs from a real station journal: valid against the
vendored schemas, every id reference resolved, counts equal to the journal, secrecy of order."""

from __future__ import annotations

import copy
import hashlib
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from exportkit import count_in_order, deck, shared_station

from kiosk.election.package import LoadedPackage
from kiosk.errors import SanaqError
from kiosk.protocol import export as ex
from kiosk.protocol import nist
from kiosk.station.journal import Journal
from kiosk.station.service import FixedClock
from kiosk.vocabulary import Mode

SCHEMAS = Path(__file__).resolve().parent.parent / "kiosk" / "protocol" / "schemas"
WHEN = "2023-03-19T20:30:00+06:00"


def _ctx(pkg: LoadedPackage, mode: Mode = "official") -> nist.ReportContext:
    return nist.ReportContext(pkg.election, pkg.election_hash, "379", "devkey", WHEN, "sanaq 0.1.0", mode)


@pytest.fixture(scope="module")
def station_data() -> Path:
    return shared_station()


@pytest.fixture(scope="module")
def docs(station_data: Path) -> tuple[dict[str, Any], dict[str, Any], Any]:
    from kiosk.election.load import load_election

    pkg = load_election(station_data / "election.json")
    journal = Journal.open(station_data / "journal.sqlite", FixedClock())
    tally = journal.tally("official")
    results = nist.results_report(_ctx(pkg), tally.contests, tally.sheets)
    cvrs = nist.cvr_report(_ctx(pkg), list(journal.cast_vote_records("official")))
    journal.close()
    return results, cvrs, tally


# --- the vendored schemas --------------------------------------------------------------------------------


def test_vendored_schemas_match_their_provenance() -> None:
    provenance = (SCHEMAS / "PROVENANCE").read_text()
    for kind, name in nist.SCHEMA_FILES.items():
        digest = hashlib.sha256((SCHEMAS / name).read_bytes()).hexdigest()
        assert digest == nist.SCHEMA_SHA256[kind]
        assert f"sha256:  {digest}" in provenance and name in provenance
        # Identical to the project's shared copy, where it is present.
        shared = Path("/work/shared/schemas") / name
        if shared.exists():
            assert shared.read_bytes() == (SCHEMAS / name).read_bytes()
        assert nist.schema_bytes(kind) == (SCHEMAS / name).read_bytes()  # what the package ships


# --- results (SP 1500-100) --------------------------------------------------------------------------------


def test_results_are_valid_and_match_the_journal(docs: tuple[dict[str, Any], dict[str, Any], Any]) -> None:
    results, _, tally = docs
    assert nist.schema_problems(results, "err") == []
    assert nist.check_references(results, "err") == []
    assert results["Status"] == "unofficial-complete" and results["IsTest"] is False
    election = results["Election"][0]
    assert election["BallotCounts"][0]["BallotsCast"] == tally.sheets == 16
    station = next(g for g in results["GpUnit"] if g["@id"] == "ru-station-379")
    assert station["VotersRegistered"] == 2494 and station["Type"] == "precinct"
    contests = {c["@id"]: c for c in election["Contest"]}
    assert set(contests) == {f"contest-{c}" for c in tally.contests} | {
        "contest-mazhilis-list",
        "contest-mazhilis-smd-astana-2",
        "contest-astana-maslikhat-list",
        "contest-astana-maslikhat-smd-7",
    }
    total_votes = 0
    for cid, keys in tally.contests.items():
        c = contests[f"contest-{cid}"]
        for sel in c["ContestSelection"]:
            option = sel["@id"].removeprefix(f"sel-{cid}:")
            (vc,) = sel["VoteCounts"]
            assert vc["Count"] == keys.get(f"option:{option}", 0) and vc["GpUnitId"] == "ru-station-379"
            total_votes += vc["Count"]
        (other,) = c["OtherCounts"]
        assert other["Undervotes"] == keys.get("blank", 0)
        assert other["Overvotes"] == keys.get("overvote", 0)
    # Every sheet is a vote, a blank or an overvote in its one contest.
    blanks = sum(k.get("blank", 0) + k.get("overvote", 0) for k in tally.contests.values())
    assert total_votes + blanks == tally.sheets
    assert nist.tally_from_results(results) == {
        c: {k: n for k, n in keys.items() if n} for c, keys in tally.contests.items()
    } | {
        c: {}
        for c in ("mazhilis-list", "mazhilis-smd-astana-2", "astana-maslikhat-list", "astana-maslikhat-smd-7")
        if c not in tally.contests
    }


def test_against_all_parties_and_candidates(docs: tuple[dict[str, Any], dict[str, Any], Any]) -> None:
    results, _, _ = docs
    election = results["Election"][0]
    candidates = {c["@id"]: c for c in election["Candidate"]}
    parties = {p["@id"]: p for p in results["Party"]}
    for c in election["Contest"]:
        last = c["ContestSelection"][-1]
        assert last["@type"] == "ElectionResults.CandidateSelection" and last["@id"].endswith(":against-all")
        (cand_id,) = last["CandidateIds"]
        kinds = {x["OtherType"]: x["Value"] for x in candidates[cand_id]["ExternalIdentifier"]}
        assert kinds["sanaq-option-kind"] == "against-all"
        assert {t["Language"]: t["Content"] for t in candidates[cand_id]["BallotName"]["Text"]}[
            "ru"
        ] == "Против всех"
        if c["@type"] == "ElectionResults.PartyContest":
            assert [s["@type"] for s in c["ContestSelection"][:-1]] == ["ElectionResults.PartySelection"] * 7
    # The party list's AMANAT and the candidates nominated by AMANAT are one Party object.
    assert parties["party-amanat"]["Name"]["Text"][1]["Content"] == "Партия «AMANAT»"
    nominated = [c for c in candidates.values() if c.get("PartyId") == "party-amanat"]
    assert nominated, "candidates' parties are matched to the party-list parties by name"
    assert all(p.startswith("party-") and ":" not in p for p in parties)


# --- cast vote records (SP 1500-103) -------------------------------------------------------------------------


def test_cvrs_are_valid_and_add_up(docs: tuple[dict[str, Any], dict[str, Any], Any]) -> None:
    results, cvrs, tally = docs
    assert nist.schema_problems(cvrs, "cvr") == []
    assert nist.check_references(cvrs, "cvr") == []
    assert len(cvrs["CVR"]) == tally.sheets
    expected = {c: {k: n for k, n in keys.items() if n} for c, keys in tally.contests.items()}
    assert nist.tally_from_cvrs(cvrs) == expected
    # The commission's decisions are modified snapshots, current; the reader's stays beside them.
    modified = [c for c in cvrs["CVR"] if len(c["CVRSnapshot"]) == 2]
    assert modified, "the deck has sheets the commission decided"
    assert "adjudicated" in cvrs["ReportType"]
    for c in modified:
        assert [s["Type"] for s in c["CVRSnapshot"]] == ["interpreted", "modified"]
        assert c["CurrentSnapshotId"] == c["CVRSnapshot"][1]["@id"]
        assert c["CVRSnapshot"][0]["Status"] == ["needs-adjudication"]
        assert c["CVRSnapshot"][1]["Annotation"][0]["AdjudicatorName"] == ["chair"]
    # Both files name the same contests and selections.
    err_ids = {o["@id"] for c in results["Election"][0]["Contest"] for o in [c, *c["ContestSelection"]]}
    cvr_ids = {o["@id"] for c in cvrs["Election"][0]["Contest"] for o in [c, *c["ContestSelection"]]}
    assert err_ids == cvr_ids


def test_cvrs_carry_no_time_no_score_no_name_no_journal_id(
    station_data: Path, docs: tuple[dict[str, Any], dict[str, Any], Any]
) -> None:
    _, cvrs, tally = docs
    text = json.dumps(cvrs["CVR"], ensure_ascii=False)
    assert "TimeStamp" not in text and "MarkMetricValue" not in text and "BatchSequenceId" not in text
    assert "A. Chair" not in text and "looked at it" not in text  # who and why stay in the journal
    assert not re.search(r"\d{4}-\d\d-\d\dT", text)
    journal = Journal.open(station_data / "journal.sqlite", FixedClock())
    ids = [r["id"] for r in journal.cast_vote_records()]
    journal.close()
    assert ids and not any(i in text for i in ids)
    assert [c["UniqueId"] for c in cvrs["CVR"]] == [f"cvr-{n:06d}" for n in range(1, tally.sheets + 1)]


def test_cvr_file_is_independent_of_the_counting_order(tmp_path: Path, sample: LoadedPackage) -> None:
    """The same deck counted in two orders, in two journals: byte-identical files."""
    sheets = deck(sample, 20, seed=21)
    shuffled = sheets[:]
    random.Random(7).shuffle(shuffled)
    assert [s.handle for s in shuffled] != [s.handle for s in sheets]
    a = count_in_order(tmp_path / "a.sqlite", sample, sheets)
    b = count_in_order(tmp_path / "b.sqlite", sample, shuffled)
    files = []
    for st in (a, b):
        t = st.journal.tally()
        assert t.sheets == 20
        files.append(
            {
                f.name: f.data
                for f in ex.nist_files(_ctx(sample), t.contests, t.sheets, st.journal.cast_vote_records())
            }
        )
    assert files[0][ex.CVR_FILE] == files[1][ex.CVR_FILE]
    assert files[0][ex.RESULTS_FILE] == files[1][ex.RESULTS_FILE]
    # The journals themselves hold the records under different random ids.
    assert [r["id"] for r in a.journal.cast_vote_records()] != [
        r["id"] for r in b.journal.cast_vote_records()
    ]


# --- the reference checker and the validation catch breakage ----------------------------------------------------


def test_reference_checker_finds_dangling_mistyped_and_duplicate_ids(
    docs: tuple[dict[str, Any], dict[str, Any], Any],
) -> None:
    results, cvrs, _ = docs
    bad = copy.deepcopy(results)
    contest = bad["Election"][0]["Contest"][0]
    contest["ContestSelection"][0]["PartyIds"] = ["party-nobody"]
    contest["ElectionDistrictId"] = contest["@id"]  # a contest is not a ReportingUnit
    bad["Party"].append(dict(bad["Party"][0]))  # the same @id twice
    # The schema alone does not see any of it (refTypes is not a draft-04 keyword).
    assert nist.schema_problems(bad, "err") == []
    found = nist.check_references(bad, "err")
    assert any("'party-nobody' names no object" in p for p in found)
    assert any(
        "is a ElectionResults.PartyContest, not one of ['ElectionResults.ReportingUnit']" in p for p in found
    )
    assert any("used twice" in p for p in found)
    bad = copy.deepcopy(cvrs)
    bad["CVR"][0]["CurrentSnapshotId"] = "cvr-999999-interpreted"
    bad["CVR"][1]["CVRSnapshot"][0]["CVRContest"][0]["ContestId"] = "sel-mazhilis-list:amanat"
    found = nist.check_references(bad, "cvr")
    assert len(found) == 2 and "names no object" in found[0] and "not one of" in found[1]


def test_schema_validation_catches_missing_and_mistyped(
    docs: tuple[dict[str, Any], dict[str, Any], Any],
) -> None:
    results, cvrs, _ = docs
    bad = copy.deepcopy(results)
    del bad["Issuer"]
    bad["Election"][0]["Contest"][1]["OtherCounts"][0]["Undervotes"] = "3"
    bad["GeneratedDate"] = "yesterday"
    found = nist.schema_problems(bad, "err")
    assert "(root): 'Issuer' is a required property" in found
    assert any(p.startswith("Election/0/Contest/1/OtherCounts/0/Undervotes:") for p in found)
    assert any(p.startswith("GeneratedDate:") for p in found)
    bad = copy.deepcopy(cvrs)
    bad["GeneratedDate"] = "2023-03-19 20:30"  # not RFC 3339: no T, no zone
    bad["CVR"][0]["CVRSnapshot"][0]["Type"] = "final"
    found = nist.schema_problems(bad, "cvr")
    assert any(p.startswith("GeneratedDate:") for p in found)
    assert any("CVRSnapshot/0/Type" in p for p in found)


def test_nist_files_refuse_what_does_not_add_up(
    docs: tuple[dict[str, Any], dict[str, Any], Any], station_data: Path, sample: LoadedPackage
) -> None:
    _, _, tally = docs
    journal = Journal.open(station_data / "journal.sqlite", FixedClock())
    records = list(journal.cast_vote_records())
    journal.close()
    ok = ex.nist_files(_ctx(sample), tally.contests, tally.sheets, records)
    assert [f.name for f in ok] == [ex.RESULTS_FILE, ex.CVR_FILE]
    with pytest.raises(SanaqError) as info:
        ex.nist_files(_ctx(sample), tally.contests, tally.sheets, records[1:])  # one record lost
    assert info.value.code == "export_nist_invalid" and "do not add up" in info.value.detail
    wrong = copy.deepcopy(tally.contests)
    contest = next(iter(wrong))
    wrong[contest]["blank"] = wrong[contest].get("blank", 0) + 1
    with pytest.raises(SanaqError) as info:
        ex.nist_files(_ctx(sample), wrong, tally.sheets, records)
    assert info.value.code == "export_nist_invalid"


def test_check_exportable_codes() -> None:
    ex.check_exportable("finalised", "official", {"c": {"option:a": 3}}, 0)
    ex.check_exportable("testing", "test", {}, 0)
    for state, mode, contests, pending, code in (
        ("open", "official", {}, 0, "export_not_allowed_now"),
        ("closed", "official", {}, 0, "export_not_allowed_now"),
        ("finalised", "test", {}, 0, "export_not_allowed_now"),
        ("finalised", "official", {"c": {"review": 1}}, 0, "export_count_incomplete"),
        ("finalised", "official", {}, 2, "export_count_incomplete"),
    ):
        with pytest.raises(SanaqError) as info:
            ex.check_exportable(state, mode, contests, pending)
        assert info.value.code == code


def test_records_that_do_not_fit_the_package_are_refused(sample: LoadedPackage) -> None:
    record: dict[str, Any] = {
        "id": "x",
        "style": "MZ-LIST",
        "reading": {
            "contests": [{"contest": "mazhilis-list", "outcome": "vote", "choice": "nobody", "marks": []}]
        },
        "decision": None,
    }
    tally = {"mazhilis-list": {"option:nobody": 1}}
    with pytest.raises(SanaqError) as info:
        ex.nist_files(_ctx(sample), tally, 1, [record])
    assert info.value.code == "export_nist_invalid"
    record["reading"]["contests"][0]["contest"] = "no-such-contest"
    with pytest.raises(SanaqError) as info:
        ex.nist_files(_ctx(sample), {"no-such-contest": {"blank": 1}}, 1, [record])
    assert info.value.code == "export_nist_invalid"


def test_test_mode_documents(sample: LoadedPackage) -> None:
    record = {
        "id": "x",
        "style": "MZ-LIST",
        "reading": {
            "contests": [{"contest": "mazhilis-list", "outcome": "vote", "choice": "amanat", "marks": []}]
        },
        "decision": None,
    }
    files = {
        f.name: json.loads(f.data)
        for f in ex.nist_files(_ctx(sample, "test"), {"mazhilis-list": {"option:amanat": 1}}, 1, [record])
    }
    results, cvrs = files[ex.RESULTS_FILE], files[ex.CVR_FILE]
    assert results["IsTest"] is True and results["Status"] == "pre-election"
    assert {"@type": "CVR.Code", "Type": "other", "OtherType": "sanaq-mode", "Value": "test"} in cvrs[
        "ReportingDevice"
    ][0]["Code"]
    assert cvrs["Notes"].endswith("TEST MODE.")
    assert ex.export_name("e", "379", WHEN, "test") == "sanaq-e-379-20230319T143000Z-test"


# --- properties over random ballot boxes -------------------------------------------------------------------


def _records_strategy(sample: LoadedPackage) -> Any:
    from hypothesis import strategies as st

    e = sample.election

    @st.composite
    def record(draw: Any) -> dict[str, Any]:
        style = draw(st.sampled_from(e.styles))
        contest = e.contest(style.contest)
        ids = [o.id for o in contest.options]
        outcome = draw(st.sampled_from(["vote", "vote", "blank", "overvote", "review"]))
        choice = draw(st.sampled_from(ids)) if outcome == "vote" else None
        marked = (
            set(draw(st.lists(st.sampled_from(ids), min_size=2, max_size=3, unique=True)))
            if outcome == "overvote"
            else set()
        )
        marginal = {draw(st.sampled_from(ids))} if outcome == "review" else set()
        marks = [
            {
                "option": i,
                "score": 0.5,
                "mark": "marked" if i == choice or i in marked else "marginal" if i in marginal else "empty",
            }
            for i in ids
        ]
        decision = None
        if outcome == "review" and draw(st.booleans()):
            d_outcome = draw(st.sampled_from(["vote", "blank", "overvote"]))
            decision = {
                "contests": [
                    {
                        "contest": contest.id,
                        "outcome": d_outcome,
                        "choice": draw(st.sampled_from(ids)) if d_outcome == "vote" else None,
                    }
                ],
                "role": "chair",
                "who": "A. Chair",
                "why": "because",
            }
        return {
            "id": draw(st.text("0123456789abcdef", min_size=32, max_size=32)),
            "style": style.id,
            "reading": {
                "contests": [{"contest": contest.id, "outcome": outcome, "choice": choice, "marks": marks}]
            },
            "decision": decision,
        }

    return st.lists(record(), max_size=30)


def _expected_tally(records: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for r in records:
        c = r["reading"]["contests"][0]
        d = (r["decision"] or {"contests": [c]})["contests"][0]
        key = f"option:{d['choice']}" if d["outcome"] == "vote" else d["outcome"]
        out.setdefault(c["contest"], {})
        out[c["contest"]][key] = out[c["contest"]].get(key, 0) + 1
    return out


def test_cvr_properties_over_random_boxes(sample: LoadedPackage) -> None:
    """Any box: the CVRs add up to the records' tally, the bytes do not depend on the order of the
    records nor on their journal ids, and the document is valid (schema and references)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=40, deadline=None, derandomize=True)
    @given(_records_strategy(sample), st.randoms(use_true_random=False))
    def check(records: list[dict[str, Any]], rnd: random.Random) -> None:
        doc = nist.cvr_report(_ctx(sample), records)
        assert nist.tally_from_cvrs(doc) == _expected_tally(records)
        shuffled = [dict(r, id=f"{rnd.getrandbits(128):032x}") for r in records]
        rnd.shuffle(shuffled)
        assert json.dumps(nist.cvr_report(_ctx(sample), shuffled)) == json.dumps(doc)
        if len(records) <= 8:  # the schema check is the slow part
            assert nist.problems(doc, "cvr") == []

    check()


def test_ids_never_collide_whatever_the_package_ids(sample: LoadedPackage) -> None:
    """Contest "d" with option "2-c01" and contest "d-2" with option "c01": joined with "-" both
    would be one id; package ids never hold ':', which the NIST ids use as the joint."""
    from kiosk.election.model import Election

    doc = sample.election.model_dump(mode="json")
    a, b = doc["contests"][1], doc["contests"][3]  # the two single-mandate contests
    rename = {a["id"]: "d", b["id"]: "d-2"}
    a["id"], b["id"] = "d", "d-2"
    a["options"][0]["id"] = "2-c01"
    b["options"][0]["id"] = "c01"
    for s in doc["styles"]:
        s["contest"] = rename.get(s["contest"], s["contest"])
    for p in doc["protocols"]:
        p["contest"] = rename.get(p["contest"], p["contest"])
        for line in p["lines"]:
            if p["contest"] == "d" and line.get("option") == "c01":
                line["option"] = "2-c01"
    election = Election.model_validate(doc)
    ctx = nist.ReportContext(election, "h", "379", "dev", WHEN, "sanaq 0.1.0")
    records = [
        {
            "id": "1",
            "style": next(s.id for s in election.styles if s.contest == cid),
            "reading": {"contests": [{"contest": cid, "outcome": "vote", "choice": oid, "marks": []}]},
            "decision": None,
        }
        for cid, oid in (("d", "2-c01"), ("d-2", "c01"))
    ]
    tally = {"d": {"option:2-c01": 1}, "d-2": {"option:c01": 1}}
    files = {f.name: json.loads(f.data) for f in ex.nist_files(ctx, tally, 2, records)}
    assert nist.tally_from_cvrs(files[ex.CVR_FILE]) == tally
