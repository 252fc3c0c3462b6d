"""Station-specific ballots (issue 11): with a shared style, a neighbouring station's
ballot used to be counted. A package may ask for station-specific ballots; then the
station's code is in the QR and another station's sheet is refused (`wrong_station`)."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from fieldkit.deck import DeckOptions, generate_sheet
from kiosk.ballots.layout import build_layout, parse_qr_payload
from kiosk.election.model import Election, Rules, Station, Text, station_code
from kiosk.election.package import election_hash
from kiosk.election.sample import sample_election
from kiosk.reading.reader import BallotReader

STYLE = "MZ-LIST"  # on the ballots of both stations


def two_stations(specific: bool) -> Election:
    e = sample_election()
    neighbour = Station(
        id="380",
        name=Text(kk="№380", ru="№380"),
        address=Text(kk="-", ru="-"),
        styles=e.stations[0].styles,
        voters_on_list=100,
    )
    return e.model_copy(
        update={
            "stations": (*e.stations, neighbour),
            "rules": Rules(station_specific_ballots=specific),
        }
    )


def sheet(e: Election, h: str, station: str, index: int = 0) -> np.ndarray:
    layout = build_layout(e, h, STYLE, False, station)
    return generate_sheet(e, h, STYLE, 5, index, DeckOptions.clean(), layout=layout, with_front=False).back


def test_a_shared_style_without_the_rule_counts_the_neighbours_ballot() -> None:
    e = two_stations(False)
    h = election_hash(e)
    r = BallotReader(e, h, "379").read(sheet(e, h, "380"))
    assert r.status != "rejected"  # the weakness the rule exists for


def test_station_specific_ballots_refuse_another_stations_sheet() -> None:
    e = two_stations(True)
    Election.model_validate(e.model_dump())
    h = election_hash(e)
    at_379 = BallotReader(e, h, "379")
    own = at_379.read(sheet(e, h, "379"))
    assert own.status != "rejected" and own.style == STYLE
    other = at_379.read(sheet(e, h, "380", 1))
    assert (other.status, other.reason) == ("rejected", "wrong_station")
    at_380 = BallotReader(e, h, "380")
    assert at_380.read(sheet(e, h, "380", 1)).status != "rejected"
    assert at_380.read(sheet(e, h, "379")).reason == "wrong_station"


def test_the_qr_carries_the_station_code_and_the_book_only_this_stations_codes() -> None:
    e = two_stations(True)
    h = election_hash(e)
    payload = build_layout(e, h, STYLE, False, "380").back.qr_payload
    info = parse_qr_payload(payload)
    assert info is not None and info.station == station_code("380") and len(payload) <= 38
    book = BallotReader(e, h, "379").book
    assert {c.info.station for c in book.codes} == {station_code("379")}
    with pytest.raises(ValueError):
        build_layout(e, h, STYLE, False, None)  # a station-specific ballot names its station


def test_a_package_whose_stations_share_a_code_is_refused() -> None:
    e = two_stations(True)
    codes: dict[str, str] = {}
    n = 0
    while True:  # find two ids with the same 5-character code (birthday bound: ~2^12.5 ids)
        sid = f"s{n}"
        c = station_code(sid)
        if c in codes:
            break
        codes[c] = sid
        n += 1
    a, b = (
        Station(id=i, name=Text(kk=i, ru=i), address=Text(kk="-", ru="-"), styles=(STYLE,), voters_on_list=1)
        for i in (codes[c], sid)
    )
    with pytest.raises(ValidationError, match="same ballot code"):
        Election.model_validate(e.model_copy(update={"stations": (a, b)}).model_dump())


def test_the_rule_left_off_keeps_every_earlier_package_hash() -> None:
    """Packages signed before the rule existed have no `station_specific_ballots`: their
    canonical form (and election hash) must not change, or every one of them would be
    refused as non-canonical. The hash of the built-in sample as it was before the rule."""
    from kiosk.election.package import canonical_bytes

    # Issue 16: the built-in sample now waives the logic-and-accuracy test in its rules; the
    # same election requiring it (the default, left out of the document) is the old package.
    e = sample_election(logic_and_accuracy_required=True)
    assert b"station_specific_ballots" not in canonical_bytes(e)
    assert b"logic_and_accuracy_required" not in canonical_bytes(e)
    assert election_hash(e) == "367035ad26ae838c0deed36ad70f64d352b3daf878bcea4fb07a5ff3a2674937"
    assert b'"logic_and_accuracy_required":false' in canonical_bytes(sample_election())
    assert b'"station_specific_ballots":true' in canonical_bytes(two_stations(True))
