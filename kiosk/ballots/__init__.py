"""Ballot layout and rendering (the marked test deck is test equipment: `fieldkit.deck`)."""
