"""Honest source health: how each source's format was verified, and which regions the sources cover.

Each source module declares ``verified`` (``"responses"``: checked on real responses;
``"importer"``: written from a public importer's code; ``"none"``: not verified),
``verified_on`` (ISO date) and ``verified_by`` (the evidence, for curators), and, for a regional
or departmental source, ``regions`` (INSEE region codes). The back office's source page and the
public « Sources et couverture » page (``/sources``) show them.
"""

from __future__ import annotations

from datetime import date

from guichet.geo import REGIONS

VERIFICATIONS = ("responses", "importer", "none", "team")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")


def french_date(value: str) -> str:
    day = date.fromisoformat(value)
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def verification_text(source_class) -> str:
    """« vérifié sur des réponses réelles (1er décembre 2026) », « d'après le code public d'un
    importeur (…) », « non vérifié » or « rédigé par l'équipe »."""
    kind, when = getattr(source_class, "verified", "none"), getattr(source_class, "verified_on", None)
    if kind not in VERIFICATIONS:
        raise ValueError(f"{source_class.slug}: verified must be one of {', '.join(VERIFICATIONS)}")
    if kind == "team":
        return "rédigé et vérifié par l’équipe"
    if kind == "none" or not when:
        return "non vérifié"
    text = "vérifié sur des réponses réelles" if kind == "responses" else "d’après le code public d’un importeur"
    return f"{text} ({french_date(when)})"


def source_coverage(sources: dict) -> dict:
    """Every source with its verification and regions, and the regions no regional source covers."""
    rows, covered = [], set()
    for slug, source_class in sources.items():
        regions = list(getattr(source_class, "regions", ()) or ())
        if source_class.level == "regional":  # a département's catalogue does not cover its region
            covered.update(regions)
        rows.append({
            "slug": slug, "name": source_class.name or slug, "level": source_class.level, "url": source_class.url,
            "verified": getattr(source_class, "verified", "none"), "verification": verification_text(source_class),
            "evidence": getattr(source_class, "verified_by", ""),
            "regions": [REGIONS[code] for code in regions if code in REGIONS],
            "everywhere": source_class.level in ("national", "europe"),
        })
    uncovered = [name for code, name in sorted(REGIONS.items(), key=lambda item: item[1]) if code not in covered]
    return {"sources": rows, "uncovered_regions": uncovered}


def local_coverage(sources: dict, region: str | None, department: str | None) -> dict:
    """For one commune's region and département: the regional and departmental sources that
    cover them (names), so that its page can say when there is none yet."""
    regional = [source.name for source in sources.values()
                if source.level == "regional" and region in (getattr(source, "regions", ()) or ())]
    departmental = [source.name for source in sources.values()
                    if source.level == "departmental" and department in (getattr(source, "departments", ()) or ())]
    return {"regional": regional, "departmental": departmental}
