"""Sources of programmes and the record of every scraping run."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guichet.db import Base
from guichet.programmes.models import utcnow


class Source(Base):
    __tablename__ = "sources"

    slug: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(20))
    url: Mapped[str | None] = mapped_column(Text)
    schedule: Mapped[str | None] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # What a new programme of this source becomes (an admin's choice): « review » waits for a
    # curator before it is public; « auto » is published at once and stays in the review queue
    # until a curator has read it (for official funders' APIs).
    publication_policy: Mapped[str] = mapped_column(String(20), default="review", server_default="review")


PUBLICATION_POLICIES = {
    "review": "À relire avant publication",
    "auto": "Publié automatiquement, relu ensuite",
}


class ScrapeRun(Base):
    __tablename__ = "scrape_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(ForeignKey("sources.slug"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    # running · success · partial (some records errored) · failed · flagged (suspicious, nothing unpublished)
    status: Mapped[str] = mapped_column(String(20), default="running")
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    errored: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    seen: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    message: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSON)

    errors: Mapped[list["RunError"]] = relationship(back_populates="run", cascade="all, delete-orphan",
                                                    order_by="RunError.id")


class RunError(Base):
    __tablename__ = "scrape_run_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scrape_runs.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[str | None] = mapped_column(String(200))
    # gather · fetch · parse · normalise · store
    stage: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)

    run: Mapped[ScrapeRun] = relationship(back_populates="errors")


class HttpCacheEntry(Base):
    """What a source answered last time to one request: its validators (ETag, Last-Modified)
    for conditional requests, and the body, so that a 304 can be read as "unchanged"."""

    __tablename__ = "source_http_cache"

    # sha256 of the request's method, URL and parameters (see scrapers.http.Request.cache_key)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(60), index=True)
    url: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    content_type: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RunRequest(Base):
    """« Lancer maintenant » from the back office: a request the scheduler process picks up
    (web workers never run a scrape themselves)."""

    __tablename__ = "source_run_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(60), index=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    requested_by: Mapped[str | None] = mapped_column(String(200))
    # waiting · running · done · failed
    status: Mapped[str] = mapped_column(String(20), default="waiting", index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    run_id: Mapped[int | None] = mapped_column(Integer)
    # A French sentence for curators when the request could not be carried out.
    message: Mapped[str | None] = mapped_column(Text)
