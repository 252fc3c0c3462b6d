"""One error type for everything that comes from outside and is wrong.

Every error carries a stable code (tests, logs and other systems rely on it) and
renders its message in Kazakh, Russian and English from `kiosk.messages`.
Messages never carry vote data.
"""

from __future__ import annotations

from typing import Literal

from kiosk.messages import MESSAGES
from kiosk.vocabulary import ErrorCode

Lang = Literal["kk", "ru", "en"]


class SanaqError(Exception):
    """A refused input or action with a stable code."""

    def __init__(self, code: ErrorCode, detail: str = "") -> None:
        if code not in MESSAGES:
            raise KeyError(f"no message for error code {code!r}")
        self.code: ErrorCode = code
        self.detail = detail
        super().__init__(f"{code}: {MESSAGES[code]['en']}" + (f" ({detail})" if detail else ""))

    def message(self, lang: Lang = "en") -> str:
        return MESSAGES[self.code][lang]

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail, **MESSAGES[self.code]}


def error_code(code: str) -> ErrorCode:
    """A code that arrives as text (a reader's reason, a device's result): checked against
    MESSAGES at run time, as the Literal cannot check it before."""
    if code not in MESSAGES:
        raise KeyError(f"no message for error code {code!r}")
    return code  # type: ignore[return-value]  # checked just above
