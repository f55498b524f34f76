"""Scrapers: one module per source and the shared gather → fetch → parse → normalise machinery."""
