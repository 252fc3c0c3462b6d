"""Election package model, signing and loading, and the built-in sample."""
