"""The back office for ANCT curators (/admin/): accounts, review queue, corrections, merges,
source health, audit log.

Registers: the ``admin`` blueprint, Flask-Login, CSRF protection for every form of the
service (Flask-WTF ``CSRFProtect``, app-wide: POST forms must send ``csrf_token()``) and the
``guichet user`` commands. What curators do is guichet.curation's.
"""


def init_app(app):
    from flask_login import LoginManager
    from flask_wtf.csrf import CSRFError, CSRFProtect

    from guichet.admin import accounts
    from guichet.admin.cli import user_group
    from guichet.admin.views import bp
    from guichet.admin import deliveries, login_links  # noqa: F401  (their views join the blueprint)

    # A curator may keep a form open for a long time: the token lives as long as the session.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE", "Lax")
    app.config["REMEMBER_COOKIE_SECURE"] = app.config.get("SESSION_COOKIE_SECURE", True)
    CSRFProtect(app)

    login_manager = LoginManager(app)
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id):
        from guichet.db import get_session

        return accounts.load_user(get_session(), user_id)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        from flask import request, render_template

        message = ("Le formulaire a expiré ou n’a pas été envoyé depuis ce site. "
                   "Rechargez la page, puis recommencez.")
        if request.path.startswith("/api/"):
            from guichet.api.errors import json_error

            return json_error(400, message)
        return render_template("errors/error.html", status=400, title="Formulaire expiré", message=message), 400

    app.register_blueprint(bp)
    from guichet.admin.views import EDITOR_DIST
    from guichet.web import assets

    assets.register_folder(app, "admin.editor_asset", EDITOR_DIST)
    app.jinja_env.filters["admin_datetime"] = admin_datetime
    app.jinja_env.filters["admin_next_run"] = admin_next_run
    app.cli.add_command(user_group)


def admin_datetime(value) -> str:
    """A stored UTC time as read in France: « 3 mars 2026 à 14 h 05 »."""
    from datetime import timezone
    from zoneinfo import ZoneInfo

    from guichet.web.formatting import datetime_fr

    if value is None:
        return ""
    return datetime_fr(value.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Europe/Paris")))


def admin_next_run(value) -> str:
    """A next run as given by the scheduler (aware datetime), a stored UTC time, or text."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from guichet.web.formatting import datetime_fr

    if isinstance(value, datetime):
        if value.tzinfo is None:
            return admin_datetime(value)
        return datetime_fr(value.astimezone(ZoneInfo("Europe/Paris")))
    return str(value)
