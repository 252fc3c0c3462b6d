"""Sanaq: polling-station ballot scanner kiosk."""

__version__ = "0.1.0"
