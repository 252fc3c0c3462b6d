"""A counted sample station for tests, the benchmark and the demo: a real journal on disk
with sheets recorded through the journal's own API, a device key, commission members with
PIN-encrypted keys and an enrolment signed by the DEVELOPMENT headquarters key.

Sheets are recorded from synthetic readings (no images): the reader is tested elsewhere;
what the protocol needs from the journal is its tally, its decisions and its chain.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.election.load import load_election, sample_package_bytes
from kiosk.election.package import LoadedPackage, development_private_key
from kiosk.protocol.keys import create_member_key, load_device_key
from kiosk.protocol.signed import Enrolment, Member, public_key_of, sign_enrolment
from kiosk.station.journal import Journal
from kiosk.station.service import FixedClock

MEMBERS = (("aigerim", "chair"), ("bolat", "secretary"), ("dana", "member"), ("erlan", "member"))
PIN = {"aigerim": "111111", "bolat": "222222", "dana": "333333", "erlan": "444444"}


@dataclass(frozen=True)
class SampleStation:
    data: Path
    package: LoadedPackage
    station: str
    entered: dict[str, dict[str, int]]
    enrolment_jws: dict[str, str]


def make_enrolment(
    package: LoadedPackage,
    station: str,
    device_public: bytes,
    members: list[tuple[str, str, bytes]],
    hq_key: Ed25519PrivateKey | None = None,
) -> dict[str, str]:
    e = Enrolment(
        package.election_hash, station, device_public, tuple(Member(i, r, k) for i, r, k in members)
    )
    return sign_enrolment(e, hq_key or development_private_key())


def make_sample_station(
    data: Path, sheets_per_style: int = 30, seed: int = 1, review: int = 1
) -> SampleStation:
    """Station 379 of the sample, opened, counted and closed; lines entered into a JSON file
    (DATA/entered.json) that satisfies every ratio."""
    data.mkdir(parents=True, exist_ok=True)
    (data / "election.json").write_bytes(sample_package_bytes())
    package = load_election(data / "election.json")
    election = package.election
    station = election.stations[0]
    # The station's device key is made with its journal (DATA/device.key).
    journal = Journal.create(data / "journal.sqlite", package.election_hash, station.id, FixedClock())
    device = load_device_key(data)
    members = []
    for mid, role in MEMBERS:
        m = create_member_key(data, mid, role, PIN[mid])
        members.append((mid, role, m.public))
    jws = make_enrolment(package, station.id, public_key_of(device), members)
    (data / "enrolment.json").write_text(json.dumps(jws, indent=1) + "\n")

    rng = random.Random(seed)
    journal.transition("open", "chair")
    styles = [election.style(s) for s in station.styles]
    entered: dict[str, dict[str, int]] = {}
    counter = 0
    to_decide: list[tuple[str, str, str]] = []
    for style in styles:
        contest = election.contest(style.contest)
        for k in range(sheets_per_style):
            counter += 1
            roll = rng.random()
            if k < review:
                outcome, choice = "review", None
            elif roll < 0.03:
                outcome, choice = "blank", None
            elif roll < 0.05:
                outcome, choice = "overvote", None
            else:
                outcome, choice = "vote", rng.choice(contest.options).id
            reading = {
                "style": style.id,
                "status": "ok",
                "contests": [{"contest": contest.id, "outcome": outcome, "choice": choice}],
            }
            sid = journal.record_sheet("official", style.id, reading, [f"{counter:064x}"], f"h{counter}")
            journal.confirm_dropped(sid)
            if outcome == "review":
                to_decide.append((sid, contest.id, contest.options[0].id))
        issued = sheets_per_style + 3
        received = station.ballots_received.get(style.id, issued + 10)
        spoiled = 2
        entered[style.contest] = {
            "voters_on_list": station.voters_on_list,
            "ballots_received": received,
            "ballots_issued": issued,
            "ballots_cancelled": received - issued - spoiled,
            "ballots_spoiled": spoiled,
        }
    journal.transition("close", "chair")
    for sid, contest_id, choice in to_decide:
        journal.decide_review(
            sid,
            [{"contest": contest_id, "outcome": "vote", "choice": choice}],
            "chair",
            "aigerim",
            "mark clear",
        )
    journal.close()
    (data / "entered.json").write_text(json.dumps(entered, indent=1) + "\n")
    return SampleStation(data, package, station.id, entered, jws)
