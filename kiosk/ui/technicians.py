"""The station's technicians: who may sign in at the kiosk to see to the devices and run the
logic-and-accuracy test, and who signs no protocol.

The protocol's enrolment is the commission (chair, secretary, members): it travels inside
every signed protocol, its members are the printed protocol's signature lines and the
observer page's expected signers, so a technician is not put there. Headquarters signs a
second, smaller roster for the kiosk: DATA/technicians.json, a flattened JWS (Ed25519, the
same headquarters key and canonical JSON as the enrolment) naming the election, the station,
this kiosk's device key and each technician's id and public key. Each technician's key is
stored encrypted under their PIN as a member's is (`kiosk.protocol.keys`), in
DATA/technicians/members/ID.key (not DATA/members/, whose files `sanaq protocol roster`
puts on the commission's roster). Signing in is unlocking that key with the PIN; wrong PINs
and the lock-out are the protocol store's, as for members.

Commands (kiosk/cli/protocol.py): `sanaq protocol technician-add` (the kiosk: a technician's
key under their PIN), `sanaq protocol technicians --out FILE [--key HQ.pem]` (headquarters:
sign the roster from the kiosk's device key and the technicians' public keys) and `sanaq
protocol technicians-enrol --roster FILE` (the kiosk: install it, checked first: a roster
changed after signing is refused with `technician_roster_bad`, one for another election,
station or device key with `technician_roster_mismatch`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.election.package import key_id
from kiosk.errors import SanaqError
from kiosk.protocol.keys import MEMBER_ID, b64, unb64
from kiosk.protocol.signed import JWS_ALG, Trust, canonical

ROSTER = "technicians.json"
KEYS = "technicians"  # DATA/technicians/members/ID.key (kiosk.protocol.keys' layout under it)
FORMAT: Final = "sanaq.technicians/1"
CTY: Final = "sanaq.technicians+json"
TECHNICIAN: Final = "technician"


@dataclass(frozen=True)
class TechnicianRoster:
    election_hash: str
    station: str
    device_key: bytes
    technicians: tuple[tuple[str, bytes], ...]  # (id, Ed25519 public key)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "election_hash": self.election_hash,
            "station": self.station,
            "device_key": b64(self.device_key),
            "technicians": [{"id": i, "key": b64(k)} for i, k in self.technicians],
        }

    def key_of(self, technician: str) -> bytes | None:
        return next((k for i, k in self.technicians if i == technician), None)


def sign_roster(roster: TechnicianRoster, hq_key: Ed25519PrivateKey) -> dict[str, str]:
    """Headquarters: the roster as a flattened JWS."""
    header = {"alg": JWS_ALG, "cty": CTY, "kid": key_id(hq_key.public_key())}
    protected, payload = b64(canonical(header)), b64(canonical(roster.to_json()))
    sig = hq_key.sign(f"{protected}.{payload}".encode("ascii"))
    return {"payload": payload, "protected": protected, "signature": b64(sig)}


def _bad(detail: str) -> SanaqError:
    return SanaqError("technician_roster_bad", f"technicians: {detail}")


def verify_roster(jws: Any, trust: Trust) -> TechnicianRoster:
    """The roster, if headquarters signed exactly these bytes; else technician_roster_bad."""
    if not isinstance(jws, dict) or set(jws) != {"payload", "protected", "signature"}:
        raise _bad("not a flattened JWS")
    try:
        protected, payload, sig = (unb64(jws[k]) for k in ("protected", "payload", "signature"))
        header, body = json.loads(protected), json.loads(payload)
        if canonical(header) != protected or canonical(body) != payload:
            raise ValueError("not canonical JSON")
    except (TypeError, ValueError) as exc:
        raise _bad(str(exc)) from exc
    if not isinstance(header, dict) or header.get("alg") != JWS_ALG or header.get("cty") != CTY:
        raise _bad("header")
    kid = header.get("kid")
    if not isinstance(kid, str) or kid not in trust:
        raise _bad(f"not signed by a trusted headquarters key (kid {kid!r})")
    try:
        trust[kid][0].verify(sig, f"{jws['protected']}.{jws['payload']}".encode("ascii"))
    except InvalidSignature as exc:
        raise _bad("headquarters signature does not verify") from exc
    try:
        if not isinstance(body, dict) or body.get("format") != FORMAT:
            raise ValueError("format")
        roster = TechnicianRoster(
            str(body["election_hash"]),
            str(body["station"]),
            unb64(body["device_key"]),
            tuple((str(t["id"]), unb64(t["key"])) for t in body["technicians"]),
        )
        if roster.to_json() != body:
            raise ValueError("unexpected fields")
        for _, k in roster.technicians:
            Ed25519PublicKey.from_public_bytes(k)
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(str(exc)) from exc
    ids = [i for i, _ in roster.technicians]
    if len(set(ids)) != len(ids) or not all(MEMBER_ID.match(i) for i in ids):
        raise _bad("a technician id appears twice or is not an id")
    return roster


def load_roster(data: Path, trust: Trust) -> TechnicianRoster | None:
    """DATA/technicians.json verified, or None where the station has no technician enrolled."""
    path = data / ROSTER
    if not path.exists():
        return None
    try:
        jws = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise _bad(f"{path}: {exc}") from exc
    return verify_roster(jws, trust)


def check_roster_for(roster: TechnicianRoster, election_hash: str, station: str, device_key: bytes) -> None:
    """technician_roster_mismatch unless the roster names this election, station and device key."""
    if roster.election_hash != election_hash or roster.station != station:
        raise SanaqError("technician_roster_mismatch", "the technicians are for another election or station")
    if roster.device_key != device_key:
        raise SanaqError("technician_roster_mismatch", "the technicians' device key is not this kiosk's")
