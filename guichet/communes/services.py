"""Placeholder until the commune reference lands: no commune is known yet."""


def eligibility_for(code: str):
    return None
