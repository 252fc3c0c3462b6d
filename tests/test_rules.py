"""The validity rule is one function of the package's rules (kiosk.election.rules), and the
four places that use it follow it: Station.scan (what goes back to the voter), Tally.to_json
(the invalid line), the CLI's tally (kiosk.cli.station._invalid_keys) and the ballot's printed
instruction. Each flag is flipped and all four are seen to follow."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from fieldkit.deck import DeckOptions
from fieldkit.sim import SimScanner
from kiosk.ballots.layout import TextRun, build_layout
from kiosk.cli.station import _invalid_keys
from kiosk.election.load import load_election
from kiosk.election.model import Rules
from kiosk.election.package import LoadedPackage
from kiosk.election.rules import invalid_outcomes, returned_to_voter
from kiosk.station.journal import Journal
from kiosk.station.service import FixedClock, Station

DECK = DeckOptions(streak=0.0, hesitation=0.0)


def _package(rules: Rules) -> LoadedPackage:
    pkg = load_election(None)
    election = pkg.election.model_copy(update={"rules": rules})
    return LoadedPackage(election, pkg.election_hash, pkg.key_id, pkg.key_label)


def _header_text(pkg: LoadedPackage) -> str:
    layout = build_layout(pkg.election, pkg.election_hash, "MZ-LIST")
    return " ".join(
        p.text for side in (layout.front, layout.back) for p in side.drawing if isinstance(p, TextRun)
    )


@pytest.mark.parametrize("blank", [True, False])
@pytest.mark.parametrize("overvote", [True, False])
@pytest.mark.parametrize("give_back", [True, False])
def test_each_flag_is_followed_everywhere(
    tmp_path: Path, blank: bool, overvote: bool, give_back: bool
) -> None:
    rules = Rules(
        blank_is_invalid=blank,
        overvote_is_invalid=overvote,
        return_invalid_to_voter=give_back,
        logic_and_accuracy_required=False,  # issue 16: not what this test is about; waived explicitly
    )
    invalid = invalid_outcomes(rules)
    assert invalid == tuple(o for o, on in (("blank", blank), ("overvote", overvote)) if on)
    pkg = _package(rules)
    st = Station(
        Journal.create(tmp_path / "j.sqlite", pkg.election_hash, "379", FixedClock()), pkg, development=True
    )
    st.transition("open", "chair")
    sim = SimScanner(style="MZ-LIST", n=24, seed=40, opt=DECK)
    sim.package = pkg  # ballots printed from this package: their instruction follows its rules
    summary = st.scan(sim, "member", member="M. Member")
    truths = Counter(t.contests[0].outcome for t in sim.truth.values())
    assert truths["blank"] and truths["overvote"]  # the deck has both
    # 1. Station.scan: what goes back to the voter.
    should_return = sum(n for o, n in truths.items() if give_back and o in invalid)
    assert (summary.reasons or {}).get("invalid_returned", 0) == should_return
    assert returned_to_voter(rules, ["blank"]) == (give_back and blank)
    # 2. Tally.to_json: the invalid line counts exactly the invalid outcomes kept in the box.
    tally = st.journal.tally().to_json(st.invalid)["contests"]["mazhilis-list"]
    assert tally["invalid"] == sum(tally[o] for o in invalid)
    assert tally["blank"] == (0 if give_back and blank else truths["blank"])
    assert tally["overvote"] == (0 if give_back and overvote else truths["overvote"])
    # 3. The CLI's tally uses the same keys.
    assert _invalid_keys(st) == invalid
    # 4. The ballot says what is invalid, and only that.
    text = _header_text(pkg)
    assert ("қойылмаған" in text) == blank  # "no mark": the blank clause
    assert ("Бірден" in text) == overvote  # "more than one": the overvote clause
    assert ("недействительным" in text) == (blank or overvote)
