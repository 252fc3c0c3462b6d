"""What is attached: SANE devices, serial ports, cameras (`sanaq scanners list`), and a
hot-plug watcher (pyudev) that wakes the kiosk when a scanner comes or goes.

Reconnecting itself needs no udev: every driver reopens its device on the next call (the
serial driver waits up to `reconnect` seconds for the path to come back). The watcher only
lets the kiosk say "scanner unplugged" / "scanner back" at once instead of at the next sheet.
"""

from __future__ import annotations

import glob
import logging
import os
from collections.abc import Callable
from typing import Any

log = logging.getLogger("sanaq.drivers.discovery")


def _sane() -> list[dict[str, str]]:
    try:
        from drivers.sane_scanner import list_devices

        return [
            {"url": f"sane:{name}", "kind": "sane", "description": f"{vendor} {model} ({kind})"}
            for name, vendor, model, kind in list_devices()
        ]
    except Exception as exc:
        log.warning("SANE not available: %s", exc)
        return []


def _serial() -> list[dict[str, str]]:
    try:
        from serial.tools import list_ports
    except ImportError:
        return []
    out = []
    for port in list_ports.comports():
        ident = f"USB {port.vid:04x}:{port.pid:04x}" if port.vid is not None else "serial"
        out.append(
            {
                "url": f"serial://{port.device}",
                "kind": "serial",
                "description": f"{port.description} [{ident}]",
            }
        )
    return out


def _cameras() -> list[dict[str, str]]:
    return [
        {"url": f"camera://{dev}", "kind": "camera", "description": "V4L2 video device"}
        for dev in sorted(glob.glob("/dev/video*"))
    ]


def attached() -> list[dict[str, str]]:
    return _sane() + _serial() + _cameras()


class HotplugWatcher:
    """Calls `on_change(action, devnode)` for tty, video4linux and USB devices coming and
    going. Where pyudev or udev is not available it does nothing, and says so."""

    SUBSYSTEMS = ("tty", "video4linux", "usb")

    def __init__(self, on_change: Callable[[str, str], None]) -> None:
        self.on_change = on_change
        self.observer: Any = None
        self.available = False

    def start(self) -> bool:
        try:
            import pyudev

            context = pyudev.Context()
            # udevd's processed events where it runs; else the kernel's own (a container, a
            # minimal kiosk image): the same add/remove, without udev's extra properties.
            source = "udev" if os.path.exists("/run/udev/control") else "kernel"
            monitor = pyudev.Monitor.from_netlink(context, source=source)
            for subsystem in self.SUBSYSTEMS:
                monitor.filter_by(subsystem)

            def handle(device: Any) -> None:
                self.on_change(str(device.action), str(device.device_node or device.sys_path))

            monitor.start()  # bound now, so no event between start() and the thread is missed
            self.observer = pyudev.MonitorObserver(monitor, callback=handle, name="hotplug")
            self.observer.start()
            self.available = True
        except Exception as exc:
            log.info("hot-plug events not available: %s", exc)
            self.available = False
        return self.available

    def stop(self) -> None:
        if self.observer is not None:
            self.observer.stop()
            self.observer = None
