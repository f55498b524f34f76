"""Duplicates across sources: candidates for curators (see services.py)."""
