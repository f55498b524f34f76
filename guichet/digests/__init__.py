"""Email digests: subscriptions to a saved search (double opt-in), digests of the programmes
published since the last one, sent by `guichet digest send` and the scheduler.

Modules, by concern: models (subscriptions, deliveries, digest log), subscriptions (saved
searches, subscribing, changing, stopping, operators' commands), links (absolute URLs and
signed links), planning (who gets which programmes in a run), rendering (a delivery's email),
sending (pending deliveries through the mailer; a whole run), mailer (the one sender of every
email), views (/abonnement), cli, jobs.
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
