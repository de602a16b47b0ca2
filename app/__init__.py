"""Uitkomst: outcome-based commissioning in the Swedish model."""
