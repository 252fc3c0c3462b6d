"""The count's validity rule, in one place: which outcomes of a contest are invalid, and
whether a ballot with one goes back to the voter, from the package's `Rules`.

Used by the station (`Station.scan` returns such ballots to the voter), the tally (its
`invalid` line), the CLI, and the ballot's printed instruction (`instruction_sentence`).
"""

from __future__ import annotations

from collections.abc import Iterable

from kiosk.election.model import Rules

OUTCOMES_THAT_CAN_BE_INVALID = ("blank", "overvote")


def invalid_outcomes(rules: Rules) -> tuple[str, ...]:
    """The contest outcomes the package's rules make invalid, in a fixed order."""
    flags = {"blank": rules.blank_is_invalid, "overvote": rules.overvote_is_invalid}
    return tuple(o for o in OUTCOMES_THAT_CAN_BE_INVALID if flags[o])


def returned_to_voter(rules: Rules, outcomes: Iterable[str]) -> bool:
    """Whether a ballot with these contest outcomes goes back to the voter for a second chance."""
    invalid = invalid_outcomes(rules)
    return rules.return_invalid_to_voter and any(o in invalid for o in outcomes)


# The ballot's sentence on invalid ballots, per set of invalid outcomes (Kazakh, Russian).
_SENTENCES: dict[tuple[str, ...], tuple[str, str]] = {
    ("blank", "overvote"): (
        "Бірден көп белгі қойылған немесе белгі қойылмаған бюллетень жарамсыз деп танылады.",
        "Бюллетень, в котором знак проставлен более чем в одном квадрате или не проставлен ни в одном, "
        "считается недействительным.",
    ),
    ("blank",): (
        "Белгі қойылмаған бюллетень жарамсыз деп танылады.",
        "Бюллетень, в котором знак не проставлен ни в одном квадрате, считается недействительным.",
    ),
    ("overvote",): (
        "Бірден көп белгі қойылған бюллетень жарамсыз деп танылады.",
        "Бюллетень, в котором знак проставлен более чем в одном квадрате, считается недействительным.",
    ),
    (): ("", ""),
}


def instruction_sentence(rules: Rules) -> tuple[str, str]:
    """What the ballot says is invalid (Kazakh, Russian); empty when nothing is."""
    return _SENTENCES[invalid_outcomes(rules)]
