"""The shared vocabulary (kiosk/vocabulary.py): the error codes' Literal is exactly MESSAGES'
keys, and the counters' keys are spelt as the journal has always stored them."""

from __future__ import annotations

from typing import get_args

import pytest

from kiosk.errors import SanaqError, error_code
from kiosk.messages import MESSAGES
from kiosk.vocabulary import ErrorCode, option_key, option_of, tally_key


def test_error_code_literal_is_exactly_the_messages_keys() -> None:
    literal = set(get_args(ErrorCode))
    # Say which side misses a code, so that a merge adding one knows where to add it.
    assert not set(MESSAGES) - literal, (
        f"add to ErrorCode in kiosk/vocabulary.py: {sorted(set(MESSAGES) - literal)}"
    )
    assert not literal - set(MESSAGES), (
        f"no message in kiosk/messages.py for: {sorted(literal - set(MESSAGES))}"
    )
    assert len(get_args(ErrorCode)) == len(literal)  # no code listed twice


def test_a_code_from_text_is_checked_at_run_time() -> None:
    assert error_code("scanner_jammed") == "scanner_jammed"
    with pytest.raises(KeyError):
        error_code("no_such_code")
    assert SanaqError(error_code("unreadable")).code == "unreadable"


def test_tally_keys_keep_the_stored_spelling() -> None:
    # The journal stores these strings and its chain signs them: the spelling must not move.
    assert option_key("amanat") == "option:amanat"
    assert tally_key("vote", "jsdp") == "option:jsdp"
    assert tally_key("blank", None) == "blank"
    assert tally_key("overvote", None) == "overvote"
    assert tally_key("review", None) == "review"
    assert option_of("option:against-all") == "against-all"
    assert option_of("option:a:b") == "a:b"  # only the prefix is cut, as split(":", 1) did
    assert option_of("blank") is None and option_of("review") is None
