"""Saved cut scenarios: the flat and the results-based cut side by side, and the council memo."""
