"""The election package: what headquarters tells a station to count.

Pydantic models at the boundary (the package is outside input); frozen so that a
loaded election cannot be changed by accident anywhere in the kiosk.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

PACKAGE_FORMAT: Final = "sanaq.election/1"

# Style ids travel in the ballot QR code (alphanumeric mode): upper case, digits, '-'.
STYLE_ID_PATTERN = r"^[A-Z0-9][A-Z0-9-]{0,9}$"
ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"

MIN_BALLOT_LENGTH_MM = 210.0
MAX_BALLOT_LENGTH_MM = 500.0
BALLOT_WIDTH_MM = 148.0


STATION_CODE_CHARS = 5


def station_code(station_id: str) -> str:
    """A station's code on its ballots' QR: 5 characters of base32 (QR alphanumeric mode)
    of the SHA-256 of its id, so any station id fits the version-2 code. The package is
    refused if two of its stations share a code."""
    digest = hashlib.sha256(station_id.encode()).digest()
    return base64.b32encode(digest).decode()[:STATION_CODE_CHARS]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(Frozen):
    """A text in the two ballot languages, with English for staff and logs."""

    kk: str = Field(min_length=1)
    ru: str = Field(min_length=1)
    en: str = ""


class Option(Frozen):
    id: str = Field(pattern=ID_PATTERN)
    name: Text
    # A candidate's party, or None for a party option / self-nominated candidate.
    party: Text | None = None
    self_nominated: bool = False
    against_all: bool = False


class Contest(Frozen):
    id: str = Field(pattern=ID_PATTERN)
    kind: Literal["party_list", "single_mandate"]
    title: Text
    seats: int = Field(ge=1)
    votes_allowed: Literal[1] = 1
    # Ballot order is the list order; "against all" must be last.
    options: tuple[Option, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _check_options(self) -> Contest:
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError(f"contest {self.id}: duplicate option ids")
        against = [i for i, o in enumerate(self.options) if o.against_all]
        if len(against) > 1:
            raise ValueError(f"contest {self.id}: more than one 'against all' option")
        if against and against[0] != len(self.options) - 1:
            raise ValueError(f"contest {self.id}: 'against all' must be the last option")
        return self


class BallotStyle(Frozen):
    id: str = Field(pattern=STYLE_ID_PATTERN)
    contest: str
    title: Text
    # Ballot type colour, "#rrggbb" (blue for the Mazhilis list, green for its districts...).
    colour: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    colour_name: Text


class Station(Frozen):
    id: str = Field(pattern=ID_PATTERN)
    name: Text
    address: Text
    styles: tuple[str, ...] = Field(min_length=1)
    voters_on_list: int = Field(ge=0)
    ballots_received: dict[str, int] = Field(default_factory=dict)


class ProtocolLine(Frozen):
    id: str = Field(pattern=ID_PATTERN)
    number: str
    title: Text
    source: Literal["entered", "counted"]
    # For vote lines: the option whose votes this line carries.
    option: str | None = None


class ControlRatio(Frozen):
    """sum(left) <op> sum(right), over protocol line ids."""

    id: str = Field(pattern=ID_PATTERN)
    left: tuple[str, ...] = Field(min_length=1)
    op: Literal["=", ">=", "<="]
    right: tuple[str, ...] = Field(min_length=1)
    title: Text


class ProtocolForm(Frozen):
    contest: str
    lines: tuple[ProtocolLine, ...] = Field(min_length=1)
    ratios: tuple[ControlRatio, ...] = ()

    @model_validator(mode="after")
    def _check_refs(self) -> ProtocolForm:
        ids = [ln.id for ln in self.lines]
        if len(set(ids)) != len(ids):
            raise ValueError(f"protocol {self.contest}: duplicate line ids")
        known = set(ids)
        for r in self.ratios:
            for ref in (*r.left, *r.right):
                if ref not in known:
                    raise ValueError(f"protocol {self.contest}: ratio {r.id} names unknown line {ref}")
        return self


class Rules(Frozen):
    blank_is_invalid: bool = True
    # "More than one mark is invalid": regional practice, not confirmed in Kazakh text.
    overvote_is_invalid: bool = True
    # Whether a blank or over-marked ballot goes back to the voter for a second chance.
    return_invalid_to_voter: bool = False
    # Station-specific ballots (issue 11): each station's ballots carry its code in the QR,
    # and a station refuses another station's ballot of the same style (`wrong_station`).
    station_specific_ballots: bool = False
    # The logic-and-accuracy test (issue 16): opening official counting needs a passed test
    # deck recorded after the last scanner calibration. Closed by default; a package may waive it.
    logic_and_accuracy_required: bool = True
    # Scanner calibration (issue 16): a station opens only on a scanner whose profile passed
    # within this many days, unless the package says calibration is not required.
    scanner_calibration_required: bool = True
    calibration_max_age_days: int = Field(default=30, ge=1, le=3650)

    @model_serializer(mode="wrap")
    def _without_default_station_rule(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Left out of the document when off, so that the canonical form, and with it the
        # hash, of every package made before this rule existed stays the same.
        data: dict[str, Any] = handler(self)
        if not self.station_specific_ballots:
            data.pop("station_specific_ballots", None)
        if self.logic_and_accuracy_required:  # issue 16: left out at its default, same hashes
            data.pop("logic_and_accuracy_required", None)
        # The same for the calibration rules (issue 16), at their defaults.
        if self.scanner_calibration_required:
            data.pop("scanner_calibration_required", None)
        if self.calibration_max_age_days == 30:
            data.pop("calibration_max_age_days", None)
        return data


# --- headquarters: where and how a station delivers (issue 15, sync2) ------------------------
DELIVERABLES: Final = ("protocols", "cvr", "manifest")


class Headquarters(Frozen):
    """Where the station delivers, and the one CA its intake's TLS certificate must chain to.

    `ca_pem`: the headquarters CA certificate(s), PEM. A certificate rather than an SPKI hash:
    Python's TLS stack checks a chain against given CA certificates, and the kiosk trusts only
    these (never the system store). `deliver` is the package's delivery rule: the signed
    protocols always; the cast vote records and the export manifest when named."""

    urls: tuple[str, ...] = Field(min_length=1, max_length=8)
    ca_pem: str = Field(min_length=64, max_length=65536)
    deliver: tuple[Literal["protocols", "cvr", "manifest"], ...] = ("protocols",)

    @model_validator(mode="after")
    def _check(self) -> Headquarters:
        for u in self.urls:
            if not u.startswith("https://") or len(u) > 512 or any(c.isspace() for c in u):
                raise ValueError(f"headquarters URL must be https://...: {u[:80]!r}")
        if "protocols" not in self.deliver or len(set(self.deliver)) != len(self.deliver):
            raise ValueError("headquarters.deliver: 'protocols' once, then 'cvr'/'manifest'")
        from cryptography import x509

        try:
            certs = x509.load_pem_x509_certificates(self.ca_pem.encode())
        except ValueError as exc:
            raise ValueError(f"headquarters.ca_pem: not PEM certificates: {exc}") from exc
        for c in certs:
            try:
                bc = c.extensions.get_extension_for_class(x509.BasicConstraints).value
            except x509.ExtensionNotFound:
                bc = None
            if bc is None or not bc.ca:
                raise ValueError("headquarters.ca_pem: a certificate that is not a CA")
        return self

    def ca_sha256(self) -> list[str]:
        """The sha256 of each pinned CA certificate (DER), as staff compare it on paper."""
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import Encoding

        return [
            hashlib.sha256(c.public_bytes(Encoding.DER)).hexdigest()
            for c in x509.load_pem_x509_certificates(self.ca_pem.encode())
        ]


class ElectionInfo(Frozen):
    id: str = Field(pattern=ID_PATTERN)
    title: Text
    date: dt.date
    official: bool
    jurisdiction: Text


class Election(Frozen):
    format: Literal["sanaq.election/1"] = PACKAGE_FORMAT
    election: ElectionInfo
    contests: tuple[Contest, ...] = Field(min_length=1)
    styles: tuple[BallotStyle, ...] = Field(min_length=1)
    stations: tuple[Station, ...] = Field(min_length=1)
    protocols: tuple[ProtocolForm, ...] = ()
    rules: Rules = Rules()
    # issue 15 (sync2): optional; left out of the document when absent (see _without_absent_hq)
    headquarters: Headquarters | None = None

    @model_serializer(mode="wrap")
    def _without_absent_hq(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Absent: not in the canonical form, so every package made before the field keeps its hash.
        data: dict[str, Any] = handler(self)
        if self.headquarters is None:
            data.pop("headquarters", None)
        return data

    @model_validator(mode="after")
    def _check_refs(self) -> Election:
        contests = {c.id: c for c in self.contests}
        if len(contests) != len(self.contests):
            raise ValueError("duplicate contest ids")
        styles = {s.id for s in self.styles}
        if len(styles) != len(self.styles):
            raise ValueError("duplicate style ids")
        for s in self.styles:
            if s.contest not in contests:
                raise ValueError(f"style {s.id} names unknown contest {s.contest}")
        if len({s.id for s in self.stations}) != len(self.stations):
            raise ValueError("duplicate station ids")
        for st in self.stations:
            for sid in st.styles:
                if sid not in styles:
                    raise ValueError(f"station {st.id} names unknown style {sid}")
            for sid in st.ballots_received:
                if sid not in st.styles:
                    raise ValueError(f"station {st.id}: ballots received for foreign style {sid}")
        if self.rules.station_specific_ballots:
            codes = [station_code(st.id) for st in self.stations]
            if len(set(codes)) != len(codes):
                raise ValueError("two stations have the same ballot code: rename one")
        for p in self.protocols:
            c = contests.get(p.contest)
            if c is None:
                raise ValueError(f"protocol names unknown contest {p.contest}")
            option_ids = {o.id for o in c.options}
            for ln in p.lines:
                if ln.option is not None and ln.option not in option_ids:
                    raise ValueError(f"protocol {p.contest}: line {ln.id} names unknown option")
        return self

    # --- look-ups -----------------------------------------------------------
    def contest(self, contest_id: str) -> Contest:
        for c in self.contests:
            if c.id == contest_id:
                return c
        raise KeyError(contest_id)

    def style(self, style_id: str) -> BallotStyle:
        for s in self.styles:
            if s.id == style_id:
                return s
        raise KeyError(style_id)

    def station(self, station_id: str) -> Station:
        for s in self.stations:
            if s.id == station_id:
                return s
        raise KeyError(station_id)

    def protocol(self, contest_id: str) -> ProtocolForm | None:
        for p in self.protocols:
            if p.contest == contest_id:
                return p
        return None
