"""Evaluation: scores, formula criteria, exclusions, recusals and the ranking.

The modules here are plain functions on frozen dataclasses, without a database or a web framework,
so the rules that decide an award can be read and tested on their own.
"""
