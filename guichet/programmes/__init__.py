"""Programmes: the record, its curation and the curated data shipped with the service."""
