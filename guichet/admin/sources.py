"""Source health for curators, and « lancer maintenant ».

« Lancer maintenant » stores a run request that the scheduler process carries out
(``guichet.sources.requests``): a web worker never runs a scrape, never reaches a source.
"""

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guichet.admin.models import User
from guichet.curation import audit
from guichet.programmes.models import Programme
from guichet.sources import requests as run_requests
from guichet.sources.models import PUBLICATION_POLICIES, RunError, ScrapeRun, Source
from guichet.sources.services import source_overview
from scrapers.coverage import verification_text
from scrapers.registry import all_sources

RECENT_RUNS = 5
RunRefused = run_requests.RequestRefused


def source_names(session: Session) -> dict[str, str]:
    """Each source's name by slug."""
    return dict(session.execute(select(Source.slug, Source.name)).all())


def source_verifications() -> dict[str, tuple[str, str]]:
    """Each source's verification by slug: (kind, French text), as the sources declare it
    (scrapers.coverage) — « vérifié sur des réponses réelles (…) », « non vérifié » …"""
    return {slug: (getattr(source_class, "verified", "none"), verification_text(source_class))
            for slug, source_class in all_sources().items()}


@dataclass
class SourceHealth:
    slug: str
    name: str
    level: str | None
    schedule: str | None
    next_run: object
    enabled: bool
    policy: str = "review"
    runs: list = field(default_factory=list)
    # For each run id: its first errors (stage, record, message, url).
    errors: dict = field(default_factory=dict)
    # Programmes of this source in the store, by state.
    programmes: dict = field(default_factory=dict)
    # How the source's format was verified (scrapers.coverage), and the evidence.
    verification: str = ""
    evidence: str = ""

    @property
    def last_run(self):
        return self.runs[0] if self.runs else None

    @property
    def flagged_runs(self) -> list:
        return [run for run in self.runs if run.flagged or run.status == "flagged"]


def overview(session: Session, recent: int = RECENT_RUNS) -> list[SourceHealth]:
    # What guichet.sources says of each source (schedule, next run ...), by slug.
    entries = {entry["slug"]: entry for entry in source_overview(session)}
    sources = {source.slug: source for source in session.scalars(select(Source).order_by(Source.name))}
    slugs = list(sources) + [slug for slug in entries if slug not in sources]
    counts = {}
    for slug, state, count in session.execute(select(Programme.source, Programme.state, func.count())
                                              .group_by(Programme.source, Programme.state)):
        counts.setdefault(slug, {})[state] = count
    health = []
    for slug in slugs:
        source, entry = sources.get(slug), entries.get(slug, {})
        runs = session.scalars(select(ScrapeRun).where(ScrapeRun.source == slug)
                               .order_by(ScrapeRun.started_at.desc(), ScrapeRun.id.desc()).limit(recent)).all()
        errors = {}
        for run in runs:
            if run.errored or run.status in ("failed", "partial"):
                errors[run.id] = session.scalars(select(RunError).where(RunError.run_id == run.id)
                                                 .order_by(RunError.id).limit(10)).all()
        health.append(SourceHealth(
            slug=slug, name=entry.get("name") or (source.name if source else slug),
            level=entry.get("level") or (source.level if source else None),
            schedule=entry.get("schedule") or (source.schedule if source else None),
            next_run=entry.get("next_run"), enabled=source.enabled if source else True,
            policy=source.publication_policy if source else "review",
            runs=list(runs), errors=errors, programmes=counts.get(slug, {}),
            verification=entry.get("verification", ""), evidence=entry.get("evidence", "")))
    return health


def open_requests(session: Session) -> dict:
    """The waiting or running « lancer maintenant » request of each source."""
    return run_requests.open_requests(session)


def start_run(session: Session, slug: str, user: User | None):
    """Ask the scheduler to run this source now; the request and its audit entry are added to
    ``session`` (the caller commits)."""
    request = run_requests.request_run(session, slug, user.email if user else None, all_sources())
    audit.record(session, user, "run_source", f"Collecte de la source {slug} demandée", details={"source": slug})
    return request


def set_policy(session: Session, slug: str, policy: str, user: User | None) -> str:
    """An admin chooses how the new programmes of a source are published (the caller commits)."""
    source = session.get(Source, slug)
    if source is None:
        raise RunRefused("Source inconnue.")
    if policy not in PUBLICATION_POLICIES:
        raise RunRefused("Choisissez « à relire avant publication » ou « publié automatiquement, relu ensuite ».")
    before, source.publication_policy = source.publication_policy, policy
    summary = f"Publication des nouveaux programmes de « {source.name} » : {PUBLICATION_POLICIES[policy].lower()}"
    audit.record(session, user, "source_policy", summary, details={"source": slug, "policy": [before, policy]})
    return summary
