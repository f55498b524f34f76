"""Feeds and exports of searches: Atom, iCalendar, CSV and a printable view."""


def init_app(app):
    from guichet.feeds.views import bp

    app.register_blueprint(bp)
