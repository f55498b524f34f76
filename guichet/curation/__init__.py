"""Curation: what ANCT staff do with what the scrapers bring, whatever the screen they use.

- ``review``: the review queue, changes at the source since the last review, decisions;
- ``editing``: curators' overrides, hand-written programmes, accepting the source's value;
- ``duplicates``: finding the same programme on several sources; ``pairs``: the candidate
  pairs as stored and settled; ``merging``: the one merge of the service;
- ``catalogue``: browsing the store and comparing two programmes;
- ``audit``: who changed what and when; ``diff``: readable differences of two records;
- ``models``: the audit log, review states and candidate pairs.

The back office (guichet.admin) and the run of a source (guichet.sources) call it; it
imports neither.
"""
