"""Placeholder until duplicate detection lands: no candidate is found yet."""


def find_candidates(session, programme_ids) -> list:
    return []
