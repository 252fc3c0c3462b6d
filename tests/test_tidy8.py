"""tidy8 (issue 10, the eighth pass): small things outside the reader."""

from __future__ import annotations

import pytest

from kiosk.cli import main
from kiosk.station.lifecycle import review_refusal


def test_decide_help_says_after_close(capsys: pytest.CaptureFixture[str]) -> None:
    """`sanaq station decide --help` says decisions are taken only after the polls close,
    as the lifecycle refuses them while open or paused."""
    with pytest.raises(SystemExit) as done:
        main(["station", "decide", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Decisions are taken only after the polls close" in text
    assert "refused while they are open or paused (review_while_open)" in text
    refused = [s for s in ("testing", "open", "paused", "closed") if review_refusal(s) is not None]
    assert refused == ["open", "paused"]
    assert review_refusal("open").code == "review_while_open"  # type: ignore[union-attr]
