"""Email digests: subscriptions to a saved search (double opt-in), digests of the programmes
published since the last one, sent by `guichet digest send` and the scheduler.

Modules: models (subscriptions, deliveries, digest log), services (everything views, CLI,
jobs and tests call), mailer (the one sender of every email), views (/abonnement), cli, jobs.
"""


def init_app(app):
    from guichet.digests import cli, jobs
    from guichet.digests.views import bp, unsubscribe

    app.register_blueprint(bp)
    # RFC 8058: mail clients POST the one-click unsubscribe without any session or CSRF token.
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(unsubscribe)
    cli.register(app)
    jobs.register(app)
