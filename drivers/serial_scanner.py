"""Host driver for station ballot scanners speaking docs/serial-protocol.md, over pyserial's
`serial_for_url`: the same code talks to a tty (`serial:///dev/ttyACM0?baud=115200`), a pty
(the emulator's link) or TCP (`socket://host:port`).

Every failure of the link or the device ends in a stable code, never a lost sheet: a sheet
is only dropped by an explicit ACCEPT naming it, and a sheet whose images did not arrive
whole is never handed to the station. After a pulled cable or a device restart the next
call reconnects (the path may come back, as after a USB re-plug) and handshakes again.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import select
import struct
import time
from collections import deque
from collections.abc import Callable, Iterator
from urllib.parse import parse_qsl, urlparse

from drivers import serial_protocol as p
from drivers.base import Capabilities, Scanner, ScannerStatus
from drivers.serial_frames import FrameReader, Message, encode_frame
from kiosk.errors import SanaqError
from kiosk.station.ports import FedSheet, Whereabouts

log = logging.getLogger("sanaq.drivers.serial")

IMAGE_TRIES = 3  # a damaged image is asked for again this many times in all
# A whole sheet (both sides, retries included) must arrive within this, however the device
# paces its bytes: a device that trickles valid frames never keeps the host waiting longer.
SHEET_DEADLINE_S = 30.0
# A transfer the host gave up on (a silence longer than the per-message timeout in the middle
# of an image) goes on at the device until it has resent an unacknowledged chunk CHUNK_TRIES
# times; FEED meanwhile answers BUSY. The host waits this long for it to end, then asks again.
STALE_TRANSFER_S = p.CHUNK_TRIES * p.CHUNK_RESEND_S + 1.0


class SerialScanner(Scanner):
    def __init__(
        self,
        port: str,
        baud: int = 115200,
        timeout: float = 2.0,
        reconnect: float = 5.0,
        wait_paper: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        sheet_deadline: float = SHEET_DEADLINE_S,
    ) -> None:
        super().__init__()
        self.port_url = port
        self.url = port if port.startswith("socket://") else f"serial://{port}"
        self.baud = baud
        self.timeout = timeout  # RESULT of an ordinary command; ACCEPT and RETURN get 2.5x
        self.reconnect = reconnect  # how long a lost link may take to come back
        self.wait_paper = wait_paper  # 0: feed() ends when no paper is waiting
        self.clock = clock
        self.sheet_deadline = sheet_deadline
        self._deadline: float | None = None  # of the sheet being received
        self._port: object | None = None
        self._reader = FrameReader()
        self._inbox: deque[Message] = deque()
        self._seq = 0
        self._handshaken = False
        self.model = ""
        self.serial_no = ""
        self.firmware = ""
        self._vouched_real = False  # identity() reported a real device: it may not turn emulator
        self.caps = 0
        self._paper_in = False  # a paper-in event arrived since the last wait for paper
        self.retransmits = 0  # chunks asked for again (NAK) or images fetched again

    @classmethod
    def from_url(cls, url: str) -> SerialScanner:
        parsed = urlparse(url)
        query = dict(parse_qsl(parsed.query))
        known = {"baud", "timeout", "reconnect", "wait", "sheet"}
        if set(query) - known:
            raise SanaqError("scanner_url_invalid", f"{url}: unknown {sorted(set(query) - known)}")
        if parsed.scheme == "serial":
            if not parsed.path:
                raise SanaqError("scanner_url_invalid", url)
            port = parsed.path
        elif parsed.scheme == "socket" and parsed.hostname and parsed.port:
            port = f"socket://{parsed.hostname}:{parsed.port}"
        else:
            raise SanaqError("scanner_url_invalid", url)
        try:
            numbers = {
                "baud": int(query.get("baud", "115200")),
                "timeout": float(query.get("timeout", "2")),
                "reconnect": float(query.get("reconnect", "5")),
                "wait": float(query.get("wait", "0")),
                "sheet": float(query.get("sheet", str(SHEET_DEADLINE_S))),
            }
        except ValueError as exc:
            raise SanaqError("scanner_url_invalid", f"{url}: {exc}") from exc
        if not all(0 < v < 1e7 for k, v in numbers.items() if k != "wait") or not 0 <= numbers["wait"] < 1e7:
            raise SanaqError("scanner_url_invalid", f"{url}: a number out of range")
        return cls(
            port,
            baud=int(numbers["baud"]),
            timeout=numbers["timeout"],
            reconnect=numbers["reconnect"],
            wait_paper=numbers["wait"],
            sheet_deadline=numbers["sheet"],
        )

    EMULATOR_MODEL = "Sanaq emulator"  # what fieldkit/emulator.py says in its HELLO_REPLY

    def identity(self) -> dict[str, str | bool | None]:
        """What the device says it is. A device that has not answered the handshake yet is of
        unknown kind (`simulated: None`), which the station treats as simulated (closed by
        default); one vouched for as real may not name itself the emulator later."""
        with contextlib.suppress(SanaqError):
            self._ensure()  # the handshake gives the model and serial
        if not self._handshaken:
            return {"kind": self.url.split(":", 1)[0], "url": self.url, "simulated": None}
        self._vouched_real = not self.simulated
        return {
            "kind": self.url.split(":", 1)[0],
            "url": self.url,
            "model": self.model,
            "serial": self.serial_no,
            "firmware": self.firmware,
            "simulated": self.simulated,
        }

    # --- the link -----------------------------------------------------------------------------

    def open(self) -> None:
        self._ensure()
        super().open()

    def close(self) -> None:
        self._drop_port()
        super().close()

    def _drop_port(self) -> None:
        port, self._port = self._port, None
        self._handshaken = False
        if port is not None:
            with contextlib.suppress(Exception):  # a dead port may fail to close any way it likes
                port.close()  # type: ignore[attr-defined]

    def _connect(self) -> None:
        import serial

        deadline = self.clock() + self.reconnect
        while True:
            try:
                self._port = serial.serial_for_url(self.port_url, baudrate=self.baud, timeout=0)
                break
            except (serial.SerialException, OSError, ValueError) as exc:
                if self.clock() >= deadline:
                    raise SanaqError("scanner_disconnected", f"{self.port_url}: {exc}") from exc
                time.sleep(0.05)
        self._reader = FrameReader()
        self._inbox.clear()

    def _ensure(self) -> None:
        if self._port is None:
            self._connect()
        if not self._handshaken:
            reply = self._query(p.HELLO, bytes([1]), p.HELLO_REPLY, timeout=0.5)
            version, self.caps = p.unpack("<BH", reply.payload, "HELLO_REPLY")
            if version != 1:
                raise SanaqError("scanner_protocol_error", f"device chose version {version}")
            self.model, self.serial_no, self.firmware = p.unpack_strs(reply.payload[3:], 3)
            # The device emulator names itself; a device that does not is taken at its word.
            self.simulated = self.model == self.EMULATOR_MODEL
            if self.simulated and self._vouched_real:
                # Found in review: a device that missed the first handshake and named itself the
                # emulator only after the station had let the scan begin.
                self._drop_port()
                raise SanaqError(
                    "scanner_simulated", "the device named itself the emulator after the scan began"
                )
            self.capabilities = Capabilities(
                duplex=bool(self.caps & p.CAP_DUPLEX),
                holds_sheets=bool(self.caps & p.CAP_HOLD),
                box_sensor=bool(self.caps & p.CAP_BOX_SENSOR),
                double_feed_sensor=bool(self.caps & p.CAP_DOUBLE_FEED),
            )
            self._handshaken = True
            self._event("scanner_reconnected")

    def _write(self, msg: Message) -> None:
        import serial

        try:
            self._port.write(encode_frame(msg.body()))  # type: ignore[union-attr]
        except (serial.SerialException, OSError, AttributeError) as exc:
            self._drop_port()
            raise SanaqError("scanner_disconnected", str(exc)) from exc

    def _send(self, kind: int, payload: bytes = b"", seq: int | None = None) -> int:
        if seq is None:
            self._seq = (self._seq + 1) & 0xFFFF
            seq = self._seq
        self._write(Message(kind, seq, payload))
        return seq

    def _pump(self, deadline: float) -> None:
        """Read what has arrived (or wait until the deadline); events are handled here."""
        import serial

        while not self._inbox:
            try:
                port = self._port
                # Wait on the descriptor, then take whatever has arrived (the port is
                # non-blocking): never one byte per call, never sitting on a full-size read
                # while the device waits for an acknowledgement.
                wait = max(0.0, deadline - self.clock())
                ready, _, _ = select.select([port.fileno()], [], [], wait)  # type: ignore[union-attr]
                data = port.read(65536) if ready else b""  # type: ignore[union-attr]
            except (serial.SerialException, OSError, AttributeError, ValueError) as exc:
                # A pty whose other end vanished reads as EIO; a socket as closed: both are a
                # pulled cable.
                self._drop_port()
                raise SanaqError("scanner_disconnected", str(exc)) from exc
            for body in self._reader.feed(data):
                msg = Message.parse(body)
                if msg is None:
                    continue
                if msg.type == p.EVENT:
                    self._on_event(msg)
                elif msg.type == p.HELLO_REPLY and self._handshaken:
                    self._handshaken = False  # out of turn: the device restarted
                    raise SanaqError("scanner_restarted", "unasked HELLO_REPLY")
                else:
                    self._inbox.append(msg)
            if self.clock() >= deadline:
                return

    def _on_event(self, msg: Message) -> None:
        event, sheet = p.unpack("<BI", msg.payload, "EVENT")
        code = p.EVENT_CODES.get(event, "scanner_protocol_error")
        self._event(code, self._handle(sheet) if sheet else None)
        if event == p.EV_PAPER_IN:
            self._paper_in = True
        if event == p.EV_POWER_ON:
            self._handshaken = False
            raise SanaqError("scanner_restarted")
        if event == p.EV_IMAGE_FAILED:
            raise SanaqError("scanner_image_failed")

    def _next(self, timeout: float) -> Message | None:
        self._pump(self.clock() + timeout)
        return self._inbox.popleft() if self._inbox else None

    def _query(self, kind: int, payload: bytes, reply: int, timeout: float | None = None) -> Message:
        timeout = timeout or self.timeout
        seq = self._send(kind, payload)
        for attempt in range(2):
            deadline = self.clock() + timeout
            while self.clock() < deadline:
                msg = self._next(deadline - self.clock())
                if msg is not None and msg.type == reply:
                    return msg
            if attempt == 0:
                self._send(kind, payload, seq)
        raise SanaqError("scanner_unavailable", f"no answer to 0x{kind:02x}")

    def _command(self, kind: int, payload: bytes = b"", timeout: float | None = None) -> int:
        """Send a command; its RESULT code. Resent once with the same sequence number (the
        device answers again without acting twice); other messages are kept for later."""
        timeout = timeout or self.timeout
        seq = self._send(kind, payload)
        kept: list[Message] = []
        try:
            for attempt in range(2):
                deadline = self.clock() + timeout
                while self.clock() < deadline:
                    msg = self._next(deadline - self.clock())
                    if msg is None:
                        continue
                    if msg.type == p.RESULT:
                        answered, code = p.unpack("<HB", msg.payload, "RESULT")
                        if answered == seq:
                            return int(code)
                        continue  # an answer to an older command
                    kept.append(msg)
                if attempt == 0:
                    self._send(kind, payload, seq)
            raise SanaqError("scanner_unavailable", f"no RESULT for 0x{kind:02x}")
        finally:
            self._inbox.extendleft(reversed(kept))

    # --- sheets -------------------------------------------------------------------------------

    def _handle(self, sheet: int) -> str:
        return f"{self.serial_no}/{sheet}"

    def _sheet_of(self, handle: str) -> int | None:
        serial_no, _, number = handle.rpartition("/")
        if serial_no != self.serial_no or not number.isdigit():
            return None
        return int(number)

    def _receive_side(self) -> tuple[p.ImageBegin, bytes]:
        msg = self._expect(p.IMAGE_BEGIN)
        begin = p.ImageBegin.unpack(msg.payload)
        begin.check()  # size, pixels and chunk count bounded before anything is kept
        chunks: dict[int, bytes] = {}
        seen_to = 0  # every index below this arrived or was asked for again (NAK)
        while True:
            msg = self._expect(p.IMAGE_CHUNK, p.IMAGE_END)
            if msg.type == p.IMAGE_END:
                sheet, side = p.unpack("<IB", msg.payload, "IMAGE_END")
                if (sheet, side) != (begin.sheet, begin.side) or len(chunks) != begin.chunks:
                    raise SanaqError("scanner_image_failed", "IMAGE_END before every chunk")
                data = b"".join(chunks[i] for i in range(begin.chunks))
                if len(data) != begin.length or hashlib.sha256(data).digest() != begin.sha256:
                    raise SanaqError("scanner_image_failed", "image digest differs")
                return begin, data
            sheet, side, index = p.parse_chunk_header(msg.payload)
            if (sheet, side) != (begin.sheet, begin.side) or index >= begin.chunks:
                continue
            data = msg.payload[7:]
            if len(data) > p.CHUNK_SIZE:
                raise SanaqError("scanner_protocol_error", f"chunk of {len(data)} bytes")
            chunks[index] = data
            self._send(p.CHUNK_ACK, p.chunk_header(sheet, side, index))
            # A later chunk came first: ask for the missing ones now, each once. Only indexes
            # not looked at before are new gaps, so each chunk costs O(1) however many there are.
            for gap in range(seen_to, index):
                if gap not in chunks:
                    self.retransmits += 1
                    self._send(p.CHUNK_NAK, p.chunk_header(sheet, side, gap))
            seen_to = max(seen_to, index + 1)

    def _expect(self, *kinds: int) -> Message:
        msg = self._next(self._wait())
        while msg is not None and msg.type not in kinds:
            msg = self._next(self._wait())
        if msg is None:
            self._check_deadline()
            raise SanaqError("scanner_io_error", "the device stopped sending in the middle of an image")
        return msg

    def _wait(self) -> float:
        """How long the next message may take: the per-message timeout, cut to what is left
        of the sheet's deadline (refused once it has passed)."""
        self._check_deadline()
        if self._deadline is None:
            return self.timeout
        return min(self.timeout, max(0.0, self._deadline - self.clock()))

    def _check_deadline(self) -> None:
        if self._deadline is not None and self.clock() >= self._deadline:
            raise SanaqError("scanner_too_slow", f"the sheet took more than {self.sheet_deadline:g} s")

    def _receive_sheet(self) -> tuple[int, tuple[bytes, ...], dict[str, str]]:
        sides = 2 if self.caps & p.CAP_DUPLEX else 1
        images: list[bytes] = []
        first: p.ImageBegin | None = None
        for _ in range(sides):
            begin, data = self._receive_side()
            first = first or begin
            images.append(data)
        assert first is not None
        meta = {"device": self.model, "serial": self.serial_no, "dpi": str(first.dpi)}
        return first.sheet, tuple(images), meta

    def _drain(self, until: float) -> None:
        """Let a transfer the host gave up on run out: its frames are read and dropped, and
        the device's IMAGE_FAILED at its end is expected, not an error."""
        while self.clock() < until:
            try:
                self._pump(until)
            except SanaqError as exc:
                if exc.code != "scanner_image_failed":
                    raise
            self._inbox.clear()

    def _feed_command(self) -> int:
        """FEED. A device still busy with a sheet's images the host gave up on (BUSY) is given
        the time to end that transfer (STALE_TRANSFER_S); then FEED sends the held sheet's
        images again. Found by the kiosk's end-to-end test on a loaded machine: the window's
        redraws held the process long enough for a 0.6 s silence mid-image (scanner_io_error),
        then every FEED was BUSY (scanner_busy) until the device gave the transfer up
        (scanner_image_failed), each a stop and an alert for a sheet nobody had to touch."""
        deadline = self.clock() + STALE_TRANSFER_S
        while True:
            try:
                code = self._command(p.FEED)
            except SanaqError as exc:
                # The stale transfer's end, heard while waiting for FEED's answer: ask again.
                if exc.code != "scanner_image_failed" or self.clock() >= deadline:
                    raise
                continue
            if code != p.BUSY or self.clock() >= deadline:
                return code
            self._drain(min(deadline, self.clock() + p.CHUNK_RESEND_S))

    def feed(self) -> Iterator[FedSheet]:
        self._ensure()
        while True:
            code = self._feed_command()
            if code == p.NO_PAPER:
                if self.wait_paper <= 0 or not self._wait_for_paper():
                    return
                continue
            if code != p.OK:
                raise SanaqError(p.RESULT_CODES.get(code, "scanner_protocol_error"), f"FEED: {code}")
            self._deadline = self.clock() + self.sheet_deadline
            try:
                for attempt in range(IMAGE_TRIES):
                    try:
                        sheet, images, meta = self._receive_sheet()
                        break
                    except SanaqError as exc:
                        # A damaged image, or a silence in the middle of one (the device, or this
                        # process, held up longer than the per-message timeout): asked again.
                        retry = exc.code in ("scanner_image_failed", "scanner_io_error")
                        if not retry or attempt == IMAGE_TRIES - 1:
                            raise
                        self.retransmits += 1
                        log.warning(
                            "image %s, asking again",
                            "damaged" if exc.code.endswith("failed") else "cut short",
                        )
                        if self._feed_command() != p.OK:  # a held sheet: FEED sends its images again
                            raise
            finally:
                self._deadline = None
            yield FedSheet(self._handle(sheet), images, meta)

    def _wait_for_paper(self) -> bool:
        """Wait for a paper-in event heard since the last wait. (Looking for one in the
        event queue instead would find an old one forever and never wait.)"""
        deadline = self.clock() + self.wait_paper
        while not self._paper_in and self.clock() < deadline:
            self._pump(min(deadline, self.clock() + 0.2))
            self._inbox.clear()
        heard, self._paper_in = self._paper_in, False
        return heard

    def _sheet_command(self, kind: int, handle: str, extra: bytes = b"") -> None:
        self._ensure()
        sheet = self._sheet_of(handle)
        if sheet is None:
            raise SanaqError("scanner_protocol_error", f"{handle} is not a sheet of {self.serial_no}")
        code = self._command(kind, struct.pack("<I", sheet) + extra, timeout=self.timeout * 2.5)
        if code != p.OK:
            raise SanaqError(p.RESULT_CODES.get(code, "scanner_protocol_error"), f"0x{kind:02x}: {code}")

    def accept(self, handle: str) -> None:
        self._sheet_command(p.ACCEPT, handle)

    def return_sheet(self, handle: str, reason: str) -> None:
        self._sheet_command(p.RETURN, handle, bytes([1]))

    def where(self, handle: str) -> Whereabouts:
        self._ensure()
        sheet = self._sheet_of(handle)
        if sheet is None:
            return "unknown"  # another device's sheet: only the commission can tell
        reply = self._query(p.WHERE, struct.pack("<I", sheet), p.WHERE_REPLY)
        answered, where = p.unpack("<IB", reply.payload, "WHERE_REPLY")
        if answered != sheet:
            return "unknown"
        return p.WHEREABOUTS.get(where, "unknown")  # type: ignore[return-value]

    def status(self) -> ScannerStatus:
        try:
            self._ensure()
            reply = self._query(p.STATUS, b"", p.STATUS_REPLY)
        except SanaqError:
            return ScannerStatus("offline")
        try:
            state, held, _sensors = p.unpack("<BIB", reply.payload, "STATUS_REPLY")
        except SanaqError:
            return ScannerStatus("offline", model=self.model, serial=self.serial_no)
        return ScannerStatus(
            p.STATES.get(state, "idle"),  # type: ignore[arg-type]
            model=self.model,
            serial=self.serial_no,
            held=self._handle(held) if held else None,
        )
