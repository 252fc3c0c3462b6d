"""Signed protocols for many stations, for the tests and the load benchmark.

A package like the built-in sample with N stations (signed with the DEVELOPMENT key), and for
each station a device key and commission keys derived from its number, an enrolment signed by
the DEVELOPMENT headquarters key, and the protocols of a real counted station (the template)
re-addressed to that station and signed by its keys: what N kiosks would send. Not for
real elections: the keys are derived from public numbers.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.election.package import (
    LoadedPackage,
    development_private_key,
    development_trust,
    sign_election,
    verify_package,
)
from kiosk.election.sample import sample_election
from kiosk.protocol.model import Protocol, Replaces
from kiosk.protocol.signed import (
    Enrolment,
    Member,
    assemble,
    public_key_of,
    sign,
    sign_enrolment,
    to_file_bytes,
)

ROLES = (("chair", "chair"), ("secretary", "secretary"))


def multi_station_package_bytes(n: int) -> bytes:
    """The sample election with stations 1000..1000+n-1, signed with the DEVELOPMENT key."""
    e = sample_election()
    base = e.stations[0]
    stations = tuple(base.model_copy(update={"id": f"{1000 + i}"}) for i in range(n))
    return sign_election(e.model_copy(update={"stations": stations}), development_private_key())


def multi_station_package(n: int) -> LoadedPackage:
    return verify_package(multi_station_package_bytes(n), development_trust())


def _key(station: str, who: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(f"sanaq-synthetic/{station}/{who}".encode()).digest()
    )


@dataclass(frozen=True)
class SyntheticStation:
    station: str
    device: Ed25519PrivateKey
    members: dict[str, Ed25519PrivateKey]
    enrolment_jws: dict[str, str]


def synthetic_station(package: LoadedPackage, station: str) -> SyntheticStation:
    device = _key(station, "device")
    members = {mid: _key(station, mid) for mid, _ in ROLES}
    e = Enrolment(
        package.election_hash,
        station,
        public_key_of(device),
        tuple(Member(mid, role, public_key_of(members[mid])) for mid, role in ROLES),
    )
    return SyntheticStation(station, device, members, sign_enrolment(e, development_private_key()))


def signed_file(s: SyntheticStation, protocol: Protocol) -> bytes:
    sigs = [sign(protocol, "device", s.device), *(sign(protocol, mid, k) for mid, k in s.members.items())]
    return to_file_bytes(assemble(protocol, sigs, s.enrolment_jws))


def readdress(
    template: Protocol, package: LoadedPackage, station: str, version: int = 1, replaces: str | None = None
) -> Protocol:
    return dataclasses.replace(
        template,
        election_hash=package.election_hash,
        station=station,
        version=version,
        replaces=Replaces(version - 1, replaces, "correction") if replaces else None,
    )
