"""A station ballot scanner emulator speaking docs/serial-protocol.md, for tests, demos and
manufacturers: `sanaq-fieldkit emulate serial-scanner --deck DIR --link PATH` (a pty, with a symlink
at PATH) or `--tcp PORT`.

The paper at the entrance is a deck folder (NAME.a.EXT + NAME.b.EXT per sheet). Faults are
injected by sheet number (0-based, in feed order), each once:

    jam@N      the feed of sheet N jams; the operator clears it after --operator-delay
    double@N   sheets N and N+1 go in together; both are given back unread
    cover@N    the cover is open at the feed of sheet N; closed after --operator-delay
    boxfull@N  the ballot box is full at the feed of sheet N; emptied after --operator-delay
    corrupt@N  bytes of sheet N's image frames are damaged on the wire, and garbage is sent
    pull@N     the cable is pulled in the middle of sheet N's image, and plugged back after
               --replug-delay (a new pty behind the same PATH; or a new TCP connection)
    power@N    the device loses power when told to drop sheet N, and comes back after
               --power-off (the sheet is still in its path; ids and whereabouts survive)
    powerdrop@N  the same, but just after the sheet fell into the box: the host never hears
               the answer, and must not drop or count it twice

The device model is a plain state machine fed with bodies and a clock; `LinkRunner` moves
its bytes over a pty or a TCP socket.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import random
import select
import socket
import struct
import threading
import time
import tty
from dataclasses import dataclass, field
from pathlib import Path

from drivers import serial_protocol as p
from drivers.serial_frames import PROTOCOL_VERSION, FrameReader, Message, encode_frame
from kiosk.errors import SanaqError

log = logging.getLogger("sanaq.emulator")

IMAGE_FORMATS = {".jpg": p.FMT_JPEG, ".jpeg": p.FMT_JPEG, ".png": p.FMT_PNG}
FAULT_KINDS = ("jam", "double", "cover", "boxfull", "corrupt", "pull", "power", "powerdrop")


@dataclass(frozen=True)
class DeckSide:
    data: bytes
    fmt: int
    width: int
    height: int


def load_deck(folder: Path) -> list[tuple[str, list[DeckSide]]]:
    from PIL import Image

    sheets: dict[str, list[Path]] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in IMAGE_FORMATS or path.name.startswith("."):
            continue
        stem = path.stem[:-2] if path.stem.endswith((".a", ".b")) else path.stem
        sheets.setdefault(stem, []).append(path)
    out = []
    for name, paths in sheets.items():
        sides = []
        for path in sorted(paths):
            with Image.open(path) as im:
                w, h = im.size
            sides.append(DeckSide(path.read_bytes(), IMAGE_FORMATS[path.suffix.lower()], w, h))
        out.append((name, sides))
    return out


def parse_faults(specs: list[str]) -> dict[int, str]:
    faults: dict[int, str] = {}
    for spec in specs:
        kind, _, at = spec.partition("@")
        if kind not in FAULT_KINDS or not at.isdigit():
            raise ValueError(f"fault {spec!r}: use KIND@N, KIND one of {', '.join(FAULT_KINDS)}")
        faults[int(at)] = kind
    return faults


@dataclass
class _Side:
    begin: p.ImageBegin
    chunks: list[bytes]
    next_index: int = 0
    unacked: dict[int, tuple[float, int]] = field(default_factory=dict)  # index -> (sent at, tries)
    acked: set[int] = field(default_factory=set)


class ScannerDevice:
    """The device: paper path, sensors, non-volatile sheet ids and whereabouts, and the
    volatile protocol state a power cut loses."""

    def __init__(
        self,
        deck: list[tuple[str, list[DeckSide]]],
        faults: dict[int, str] | None = None,
        operator_delay: float = 0.5,
        power_off: float = 0.5,
        serial: str = "EMU-0001",
        dpi: int = 200,
    ) -> None:
        self.stack = list(range(len(deck)))  # deck indices waiting at the entrance, in order
        self.deck = deck
        self.faults = dict(faults or {})
        self.operator_delay = operator_delay
        self.power_off = power_off
        self.serial = serial
        self.dpi = dpi
        self.out: list[bytes] = []  # encoded frames to send
        self.rng = random.Random(7)
        # Non-volatile (EEPROM): the id counter and where each sheet went.
        self.last_id = 0
        self.whereabouts: dict[int, str] = {}
        self.deck_of: dict[int, int] = {}  # sheet id -> deck index
        self.held: int | None = None  # the sheet in the paper path, if any
        self.fed = 0  # sheets taken in so far (fault numbering)
        self.accepted_names: list[str] = []
        self.returned_names: list[str] = []
        self.link_pulled_at: float | None = None  # set when a pull fault fires; the runner acts
        self.pull_sheet: int | None = None
        self.power_sheet: int | None = None
        self.power_after_drop = False
        self._reset_volatile()
        self.state = "idle"
        self.off_until: float | None = None
        self.operator_at: float | None = None
        self.corrupting: int | None = None

    def _reset_volatile(self) -> None:
        self.seq = 0
        self.last_cmd: tuple[int, bytes] | None = None  # (host seq, the RESULT frame sent)
        self.tx: list[_Side] = []

    # --- output -------------------------------------------------------------------------------

    def _send(self, kind: int, payload: bytes) -> bytes:
        self.seq = (self.seq + 1) & 0xFFFF
        frame = encode_frame(Message(kind, self.seq, payload).body())
        self.out.append(frame)
        return frame

    def _event(self, event: int, sheet: int = 0) -> None:
        self._send(p.EVENT, struct.pack("<BI", event, sheet))

    def _result(self, msg: Message, code: int) -> None:
        frame = self._send(p.RESULT, struct.pack("<HB", msg.seq, code))
        self.last_cmd = (msg.seq, frame)

    # --- input --------------------------------------------------------------------------------

    def receive(self, body: bytes, now: float) -> None:
        if self.off_until is not None:
            return  # no power: nothing is heard
        msg = Message.parse(body)
        if msg is None:
            return
        handler = {
            p.HELLO: self._hello,
            p.STATUS: self._status,
            p.FEED: self._feed,
            p.ACCEPT: self._accept,
            p.RETURN: self._return,
            p.HOLD: self._hold,
            p.SET_OPTIONS: self._set_options,
            p.CHUNK_ACK: self._ack,
            p.CHUNK_NAK: self._nak,
            p.WHERE: self._where,
        }.get(msg.type)
        if handler is None:
            self._result(msg, p.BAD_MESSAGE)
            return
        commands = (p.FEED, p.ACCEPT, p.RETURN, p.HOLD, p.SET_OPTIONS)
        if msg.type in commands and self.last_cmd and self.last_cmd[0] == msg.seq:
            self.out.append(self.last_cmd[1])  # a resent command: answer again, act once
            return
        try:
            handler(msg, now)
        except (struct.error, IndexError, SanaqError):
            self._result(msg, p.BAD_MESSAGE)

    def _hello(self, msg: Message, now: float) -> None:
        caps = p.CAP_DUPLEX | p.CAP_HOLD | p.CAP_BOX_SENSOR | p.CAP_DOUBLE_FEED | p.CAP_JPEG
        payload = struct.pack("<BH", PROTOCOL_VERSION, caps)
        payload += p.pack_str("Sanaq emulator") + p.pack_str(self.serial) + p.pack_str("1.0")
        self._send(p.HELLO_REPLY, payload)

    def _status(self, msg: Message, now: float) -> None:
        sensors = (1 if self.stack else 0) | (2 if self.held is not None else 0)
        state = "holding" if self.state == "idle" and self.held is not None else self.state
        self._send(p.STATUS_REPLY, struct.pack("<BIB", p.STATE_CODES[state], self.held or 0, sensors))

    def _where(self, msg: Message, now: float) -> None:
        (sheet,) = struct.unpack("<I", msg.payload[:4])
        where = "held" if sheet == self.held else self.whereabouts.get(sheet, "unknown")
        self._send(p.WHERE_REPLY, struct.pack("<IB", sheet, p.WHEREABOUTS_CODES[where]))

    def _set_options(self, msg: Message, now: float) -> None:
        dpi, _colour, _duplex = struct.unpack("<HBB", msg.payload[:4])
        self.dpi = dpi
        self._result(msg, p.OK)

    def _hold(self, msg: Message, now: float) -> None:
        (sheet,) = struct.unpack("<I", msg.payload[:4])
        self._result(msg, p.OK if sheet == self.held else p.UNKNOWN_SHEET)

    def _feed(self, msg: Message, now: float) -> None:
        blocked = {"jammed": p.JAMMED, "cover_open": p.COVER_OPEN, "box_full": p.BOX_FULL}
        if self.state in blocked:
            self._result(msg, blocked[self.state])
            return
        if self.tx:
            self._result(msg, p.BUSY)
            return
        if self.held is not None:
            # The host asks again for the sheet it holds (an image lost on the way).
            self._result(msg, p.OK)
            self._start_transfer(self.held)
            return
        if not self.stack:
            self._result(msg, p.NO_PAPER)
            return
        fault = self.faults.get(self.fed)
        if fault in ("jam", "cover", "boxfull"):
            del self.faults[self.fed]
            event, state, code = {
                "jam": (p.EV_JAM, "jammed", p.JAMMED),
                "cover": (p.EV_COVER_OPEN, "cover_open", p.COVER_OPEN),
                "boxfull": (p.EV_BOX_FULL, "box_full", p.BOX_FULL),
            }[fault]
            self.state = state
            self.operator_at = now + self.operator_delay
            self._event(event)
            self._result(msg, code)
            return
        if fault == "double":
            del self.faults[self.fed]
            self._event(p.EV_DOUBLE_FEED)
            self._result(msg, p.DOUBLE_FEED)  # both sheets are pushed back out to the entrance
            return
        index = self.stack.pop(0)
        self.last_id += 1
        sheet = self.last_id
        self.deck_of[sheet] = index
        self.held = sheet
        self.whereabouts[sheet] = "held"
        if fault in ("corrupt", "pull", "power", "powerdrop"):
            del self.faults[self.fed]
        self.corrupting = sheet if fault == "corrupt" else None
        if fault == "pull":
            self.pull_sheet = sheet
        if fault in ("power", "powerdrop"):
            self.power_sheet = sheet
            self.power_after_drop = fault == "powerdrop"
        self.fed += 1
        self._result(msg, p.OK)
        self._start_transfer(sheet)

    def _start_transfer(self, sheet: int) -> None:
        for side_no, side in enumerate(self.deck[self.deck_of[sheet]][1]):
            chunks = [side.data[i : i + p.CHUNK_SIZE] for i in range(0, len(side.data), p.CHUNK_SIZE)]
            begin = p.ImageBegin(
                sheet,
                side_no,
                side.width,
                side.height,
                self.dpi,
                side.fmt,
                len(side.data),
                len(chunks),
                hashlib.sha256(side.data).digest(),
            )
            self.tx.append(_Side(begin, chunks))
        self.state = "feeding"
        self._send(p.IMAGE_BEGIN, self.tx[0].begin.pack())

    def _accept(self, msg: Message, now: float) -> None:
        (sheet,) = struct.unpack("<I", msg.payload[:4])
        if sheet == self.power_sheet:
            self.power_sheet = None
            if self.power_after_drop and sheet == self.held and not self.tx:
                self.held = None  # the motor moved: the sheet is in the box, the answer is lost
                self.whereabouts[sheet] = "box"
                self.accepted_names.append(self.deck[self.deck_of[sheet]][0])
            self._power_cut(now)  # otherwise before the motor moves: the sheet stays in the path
            return
        self._finish(msg, sheet, "box", self.accepted_names, p.EV_IN_BOX, mid_transfer=False)

    def _return(self, msg: Message, now: float) -> None:
        sheet, _reason = struct.unpack("<IB", msg.payload[:5])
        self._finish(msg, sheet, "returned", self.returned_names, p.EV_RETURNED, mid_transfer=True)

    def _finish(
        self, msg: Message, sheet: int, where: str, names: list[str], event: int, mid_transfer: bool
    ) -> None:
        """Move the held sheet to the box or back out; the same command again answers OK
        without moving anything. A sheet still being imaged can be returned, not dropped."""
        if sheet == self.held and (mid_transfer or not self.tx):
            self.tx.clear()
            self.held = None
            self.whereabouts[sheet] = where
            names.append(self.deck[self.deck_of[sheet]][0])
            self._event(event, sheet)
            self._result(msg, p.OK)
        elif self.whereabouts.get(sheet) == where:
            self._result(msg, p.OK)
        else:
            self._result(msg, p.UNKNOWN_SHEET)

    def _ack(self, msg: Message, now: float) -> None:
        sheet, side, index = p.parse_chunk_header(msg.payload)
        if self.tx and self.tx[0].begin.sheet == sheet and self.tx[0].begin.side == side:
            self.tx[0].unacked.pop(index, None)
            self.tx[0].acked.add(index)

    def _nak(self, msg: Message, now: float) -> None:
        sheet, side, index = p.parse_chunk_header(msg.payload)
        side_tx = self.tx[0] if self.tx else None
        same = side_tx is not None and (side_tx.begin.sheet, side_tx.begin.side) == (sheet, side)
        if side_tx is not None and same and index < len(side_tx.chunks) and index not in side_tx.acked:
            self._send_chunk(side_tx, index, now)

    # --- time ---------------------------------------------------------------------------------

    def _power_cut(self, now: float) -> None:
        self.off_until = now + self.power_off
        self._reset_volatile()
        self.out.clear()
        self.state = "idle"

    def _send_chunk(self, side: _Side, index: int, now: float) -> None:
        _, tries = side.unacked.get(index, (0.0, 0))
        payload = p.chunk_header(side.begin.sheet, side.begin.side, index) + side.chunks[index]
        frame = self._send(p.IMAGE_CHUNK, payload)
        if self.corrupting is not None and tries == 0 and index % 3 == 1:
            # Damage the first transmission on the wire (never the delimiter), and add garbage.
            damaged = bytearray(frame)
            pos = self.rng.randrange(1, len(damaged) - 1)
            damaged[pos] = (damaged[pos] % 255) + 1 if damaged[pos] != 255 else 1
            self.out[-1] = bytes(damaged)
            self.out.append(bytes(self.rng.randrange(1, 256) for _ in range(23)) + b"\x00")
        side.unacked[index] = (now, tries + 1)

    def tick(self, now: float) -> None:
        if self.off_until is not None:
            if now < self.off_until:
                return
            self.off_until = None
            self._event(p.EV_POWER_ON)
        if self.operator_at is not None and now >= self.operator_at:
            self.operator_at = None
            if self.state == "jammed":
                self._event(p.EV_COVER_OPEN)
            self.state = "idle"
            self._event(p.EV_COVER_CLOSED)
        while self.tx:
            side = self.tx[0]
            for index, (sent, tries) in list(side.unacked.items()):
                if now - sent >= p.CHUNK_RESEND_S:
                    if tries >= p.CHUNK_TRIES:
                        self.tx.clear()
                        self.state = "idle"
                        self._event(p.EV_IMAGE_FAILED, side.begin.sheet)
                        return
                    self._send_chunk(side, index, now)
            while len(side.unacked) < p.WINDOW and side.next_index < len(side.chunks):
                self._send_chunk(side, side.next_index, now)
                side.next_index += 1
                if self.pull_sheet == side.begin.sheet and side.begin.side == 0 and side.next_index == 3:
                    self.pull_sheet = None
                    self.link_pulled_at = now
                    self.tx.clear()  # the transfer dies with the cable; the sheet stays held
                    self.state = "idle"
                    return
            if len(side.acked) < len(side.chunks):
                return
            self._send(p.IMAGE_END, struct.pack("<IB", side.begin.sheet, side.begin.side))
            self.tx.pop(0)
            if self.tx:
                self._send(p.IMAGE_BEGIN, self.tx[0].begin.pack())
            else:
                self.state = "idle"
                self.corrupting = None

    def next_deadline(self, now: float) -> float:
        times = [now + 0.05]
        if self.off_until is not None:
            times.append(self.off_until)
        if self.operator_at is not None:
            times.append(self.operator_at)
        return max(now, min(times))


class LinkRunner:
    """Carries the device's frames over a pty (symlinked at `link`) or a TCP port."""

    def __init__(
        self,
        device: ScannerDevice,
        link: Path | None = None,
        tcp_port: int | None = None,
        replug_delay: float = 0.5,
    ) -> None:
        if (link is None) == (tcp_port is None):
            raise ValueError("give a link path or a TCP port")
        self.device = device
        self.link = link
        self.tcp_port = tcp_port
        self.replug_delay = replug_delay
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.reader = FrameReader()
        self._fd: int | None = None
        self._slave: int | None = None
        self._server: socket.socket | None = None
        self._client: socket.socket | None = None
        self.plugs = 0

    # --- the link -----------------------------------------------------------------------------

    def _plug(self) -> None:
        self.reader = FrameReader()
        if self.link is not None:
            master, slave = os.openpty()
            tty.setraw(slave)  # bytes pass unchanged: no echo, no CR/LF translation
            os.set_blocking(master, False)
            tmp = self.link.with_name(self.link.name + ".new")
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            tmp.symlink_to(os.ttyname(slave))
            os.replace(tmp, self.link)
            self._fd, self._slave = master, slave
        self.plugs += 1

    def _unplug(self) -> None:
        if self.link is not None:
            with contextlib.suppress(FileNotFoundError):
                self.link.unlink()
            for fd in (self._fd, self._slave):
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            self._fd = self._slave = None
        elif self._client is not None:
            with contextlib.suppress(OSError):
                self._client.close()
            self._client = None

    def _write(self, data: bytes) -> None:
        if self.link is not None and self._fd is not None:
            view = memoryview(data)
            while view:
                try:
                    n = os.write(self._fd, view)
                    view = view[n:]
                except BlockingIOError:
                    select.select([], [self._fd], [], 0.05)
        elif self._client is not None:
            self._client.sendall(data)

    def _readable(self) -> int | socket.socket | None:
        return self._fd if self.link is not None else self._client

    def serve(self) -> None:
        if self.tcp_port is not None:
            self._server = socket.create_server(("127.0.0.1", self.tcp_port))
            self.tcp_port = self._server.getsockname()[1]
            self._server.settimeout(0.05)
        else:
            self._plug()
        self.ready.set()
        unplugged_until: float | None = None
        try:
            while not self.stop.is_set():
                now = time.monotonic()
                if unplugged_until is not None and now >= unplugged_until:
                    unplugged_until = None
                    if self.link is not None:
                        self._plug()
                if self.tcp_port is not None and self._client is None and unplugged_until is None:
                    assert self._server is not None
                    with contextlib.suppress(TimeoutError):
                        self._client, _ = self._server.accept()
                        self._client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                        self.reader = FrameReader()
                        self.plugs += 1
                src = self._readable()
                timeout = max(0.0, self.device.next_deadline(now) - now)
                if src is None:
                    self.device.tick(now)
                    self.device.out.clear()  # nobody is listening on a pulled cable
                    if self.link is not None or unplugged_until is not None:
                        time.sleep(min(timeout, 0.02))
                    continue
                try:
                    ready, _, _ = select.select([src], [], [], timeout)
                    if ready:
                        data = os.read(src, 65536) if isinstance(src, int) else src.recv(65536)
                        if not data and not isinstance(src, int):
                            self._unplug()  # the host went away; wait for the next connection
                            continue
                        for body in self.reader.feed(data):
                            self.device.receive(body, time.monotonic())
                    self.device.tick(time.monotonic())
                    out, self.device.out = self.device.out, []
                    for frame in out:
                        self._write(frame)
                except OSError:
                    if self.link is None:
                        self._unplug()
                        continue
                    # a pty read after the host closed: EIO; the host may reopen
                    time.sleep(0.01)
                if self.device.link_pulled_at is not None:
                    self.device.link_pulled_at = None
                    self._unplug()
                    unplugged_until = time.monotonic() + self.replug_delay
        finally:
            self._unplug()
            if self._server is not None:
                self._server.close()


def run_in_thread(runner: LinkRunner) -> threading.Thread:
    thread = threading.Thread(target=runner.serve, name="scanner-emulator", daemon=True)
    thread.start()
    if not runner.ready.wait(5):
        raise RuntimeError("emulator did not start")
    return thread
