"""Kazakh alphabetical order (Cyrillic script), used to order single-mandate candidates."""

from __future__ import annotations

KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
_RANK = {ch: i for i, ch in enumerate(KAZAKH_ALPHABET)}


def kazakh_sort_key(text: str) -> tuple[int, ...]:
    """Letters by their place in the Kazakh alphabet; anything else after all letters."""
    return tuple(_RANK.get(ch, 100 + ord(ch)) for ch in text.lower())
