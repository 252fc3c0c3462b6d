"""Hot-plug: the watcher hears real kernel uevents (netlink) for tty devices. The machine
has no USB scanner to unplug, so the test asks the kernel to announce an existing tty
again (writing to its sysfs `uevent`), which sends the same netlink message a plug does.
Reconnection itself is tested with the serial emulator's pulled cable."""

from __future__ import annotations

import glob
import os
import threading

import pytest

from drivers.discovery import HotplugWatcher, attached


def _writable_tty_uevent() -> str | None:
    for path in sorted(glob.glob("/sys/class/tty/*/uevent")):
        if os.access(path, os.W_OK):
            return path
    return None


def test_watcher_hears_a_kernel_uevent() -> None:
    uevent = _writable_tty_uevent()
    if uevent is None:
        pytest.skip("no writable /sys/class/tty/*/uevent here (read-only sysfs): no uevent can be made")
    heard: list[tuple[str, str]] = []
    got = threading.Event()

    def on_change(action: str, node: str) -> None:
        heard.append((action, node))
        got.set()

    watcher = HotplugWatcher(on_change)
    if not watcher.start():
        pytest.skip("netlink uevents not available to this process")
    try:
        for _ in range(5):  # netlink is a datagram socket: a busy machine may drop one
            with open(uevent, "w") as f:
                f.write("change")
            if got.wait(1):
                break
        assert got.is_set(), "no uevent heard"
    finally:
        watcher.stop()
    name = uevent.split("/")[-2]
    assert ("change", f"/dev/{name}") in heard


def test_attached_lists_the_libsane_test_devices() -> None:
    urls = [d["url"] for d in attached()]
    assert "sane:pnm:0" in urls and "sane:test:0" in urls
