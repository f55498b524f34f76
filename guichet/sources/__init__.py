"""Sources of programmes: runs of the scrapers (scrapers/), their record and their health."""


def init_app(app):
    from guichet.hooks import register_init_step
    from guichet.sources.cli import scrape_command, sources_command
    from guichet.sources.jobs import register_jobs

    app.cli.add_command(scrape_command)
    app.cli.add_command(sources_command)
    register_jobs(app)
    register_init_step(app, "Sources de programmes", _sync_sources)


def _sync_sources(app):
    from guichet.sources.services import sync_sources

    with app.extensions["guichet.db"].session() as session:
        sync_sources(session)
        session.commit()
