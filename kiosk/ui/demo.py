"""`make demo` where there is a display: the kiosk window on the built-in sample election.

A windowed 1280x800 kiosk (not full screen: on a developer's desktop a window with no way
out would be a trap), its data in out/kiosk (kept between runs: start it again and the
station comes back where it was), the simulated scanner (`sim:`, development only) feeding
generated sheets of the four ballot types. The commission's demo PINs are on the sign-in
screen. Without a display, `make demo` runs the headless day (fieldkit/demo.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

DATA = Path("out/kiosk")
SCANNER = "sim:?n=200&seed=1"


def run_window_demo(data: Path = DATA, scanner: str = SCANNER) -> int:
    from kiosk.ui.boot import Display, configure_kivy

    configure_kivy(Display(1280, 800, fullscreen=False))
    from kiosk.ui.app import KioskApp
    from kiosk.ui.services import KioskService

    print(f"the kiosk window: data in {data.resolve()}, scanner {scanner}; demo PINs on the sign-in screen")
    KioskApp(KioskService(data, development=True), scanner, "kk", allow_close=True).run()
    return 0


if __name__ == "__main__":
    sys.exit(run_window_demo())
