"""Ballot layout, rendering and marked test decks."""
