"""The kiosk's three sounds (issue 14): accepted, warning, error, each told apart by ear.

The WAVs are made here with numpy at first use (no file shipped, nothing downloaded) and kept
in a folder beside Kivy's home; they are played through Kivy's SoundLoader. Where there is no
audio device (or no audio provider), the kiosk goes on silently and says so once in the log.

- accepted: one short rising two-note chime (C6 then E6), soft;
- warning: two medium beeps at 880 Hz (the second-chance question, a returned sheet);
- error: three low square-ish buzzes at 330 Hz (an alert: jam, cover open, scanner gone).
"""

from __future__ import annotations

import logging
import os
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np

from kiosk.ui.services import SecondChance, SheetResult

log = logging.getLogger(__name__)

Sound = Literal["accepted", "warning", "error"]
SOUNDS: tuple[Sound, ...] = ("accepted", "warning", "error")
RATE = 22050


def _tone(freq: float, seconds: float, square: bool = False) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    wave_ = np.sin(2 * np.pi * freq * t)
    if square:  # odd harmonics: a buzz, not a tone
        wave_ = wave_ + np.sin(2 * np.pi * 3 * freq * t) / 3 + np.sin(2 * np.pi * 5 * freq * t) / 5
    ramp = min(len(t) // 4, int(RATE * 0.01))  # 10 ms in and out: no click
    env = np.ones_like(t)
    if ramp:
        env[:ramp] = np.linspace(0, 1, ramp)
        env[-ramp:] = np.linspace(1, 0, ramp)
    return np.asarray(wave_ * env)


def _gap(seconds: float) -> np.ndarray:
    return np.zeros(int(RATE * seconds))


def samples(sound: Sound) -> np.ndarray:
    """The sound's samples, -1..1, mono at RATE."""
    if sound == "accepted":
        parts = [_tone(1046.5, 0.09) * 0.5, _tone(1318.5, 0.14) * 0.5]
    elif sound == "warning":
        parts = [_tone(880, 0.18) * 0.7, _gap(0.08), _tone(880, 0.18) * 0.7]
    else:
        parts = [_tone(330, 0.16, True) * 0.6, _gap(0.06)] * 2 + [_tone(330, 0.16, True) * 0.6]
    return np.concatenate(parts)


def write_wavs(folder: Path) -> dict[Sound, Path]:
    """The three WAVs (16-bit mono PCM) in `folder`, written once (kept where already there)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[Sound, Path] = {}
    for sound in SOUNDS:
        path = folder / f"sanaq-{sound}.wav"
        if not path.exists():
            pcm = (np.clip(samples(sound), -1, 1) * 32767).astype("<i2").tobytes()
            tmp = path.with_suffix(f".{os.getpid()}.part")  # two processes may write the same one at once
            with wave.open(str(tmp), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(RATE)
                w.writeframes(pcm)
            tmp.replace(path)
        paths[sound] = path
    return paths


def sound_for(event: SheetResult | SecondChance | str) -> Sound | None:
    """Which sound a voting-screen event asks for: a sheet counted (accepted), a second-chance
    question or a returned sheet (warning), an alert code (error)."""
    if isinstance(event, SecondChance):
        return "warning"
    if isinstance(event, SheetResult):
        if event.mode == "test":
            return None  # test mode is the technician's: no sounds at the voters
        return "accepted" if event.outcome != "returned" else "warning"
    return "error"


class Player:
    """Plays the sounds through Kivy's SoundLoader; silent (one log line) where it cannot."""

    def __init__(self, folder: Path, loader: Callable[[str], object | None] | None = None) -> None:
        self.folder = folder
        self.loader = loader
        self.loaded: dict[Sound, object] = {}
        self.silent = False

    def _load(self) -> None:
        if self.loaded or self.silent:
            return
        try:
            paths = write_wavs(self.folder)
            loader = self.loader
            if loader is None:
                from kivy.core.audio import SoundLoader

                loader = SoundLoader.load
            for sound, path in paths.items():
                loaded = loader(str(path))
                if loaded is None:
                    raise OSError(f"no audio provider for {path.name}")
                self.loaded[sound] = loaded
        except Exception as exc:  # no audio device or provider: the kiosk goes on without sound
            log.warning("sounds off: %s", exc)
            self.silent = True
            self.loaded = {}

    def prepare(self) -> None:
        """Write and load the sounds now (the kiosk's start), not in the frame of the first
        sheet's result (about 9 ms of the window thread, benchmarks/ui.py --trace)."""
        self._load()

    def play(self, sound: Sound) -> None:
        self._load()
        if self.silent:
            return
        try:
            self.loaded[sound].play()  # type: ignore[attr-defined]
        except Exception as exc:
            log.warning("sounds off: %s", exc)
            self.silent = True
