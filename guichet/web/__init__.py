"""Pages for mayors: search, programme detail; French error pages; DSFR assets."""

from datetime import date
from pathlib import Path

from werkzeug.exceptions import HTTPException

from guichet.config import ROOT
from guichet.programmes.themes import theme_label
from guichet.programmes.vocabulary import RECURRENCES
from guichet.search.params import AMOUNT_THRESHOLDS, RATE_THRESHOLDS, VOCABULARY_FILTERS
from guichet.web import assets, formatting, french, programme_page
from guichet.web.compression import COMPRESSION
from guichet.web.errors import (error_page, french_404, handle_http_error, handle_store_unavailable,  # noqa: F401
                                handle_unexpected, public_url)
from guichet.web.links import search_url

DSFR_DIST = ROOT / "node_modules" / "@gouvfr" / "dsfr" / "dist"


def init_app(app):
    from flask_compress import Compress

    from guichet.web.views import bp

    for key, value in COMPRESSION.items():
        app.config.setdefault(key, value)
    Compress(app)

    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
    from guichet.db import STORE_UNAVAILABLE

    for error_class in STORE_UNAVAILABLE:
        app.register_error_handler(error_class, handle_store_unavailable)
    app.jinja_env.filters.update(formatting.FILTERS)
    app.jinja_env.filters.update(french.FILTERS)
    app.jinja_env.finalize = french.finalize
    app.jinja_env.globals.update(search_url=search_url, deadline_phrase=formatting.deadline_phrase,
                                 deadline_wording=programme_page.deadline_wording,
                                 population_rule=formatting.population_rule, plural=formatting.plural,
                                 rate_range=formatting.rate_range, amount_range=formatting.amount_range,
                                 recurrence_labels=RECURRENCES, vocabulary_filters=VOCABULARY_FILTERS,
                                 rate_thresholds=RATE_THRESHOLDS, amount_thresholds=AMOUNT_THRESHOLDS,
                                 today=date.today,
                                 theme_label=theme_label)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.route("/dsfr/<path:filename>")
    def dsfr_asset(filename):
        """The State design system, served from the npm package (never committed)."""
        return assets.serve(DSFR_DIST, filename)

    app.view_functions["static"] = lambda filename: assets.serve(app.static_folder, filename)
    # Other features add their own folders (guichet.api: Swagger UI) with assets.register_folder.
    assets.init_app(app, {"dsfr_asset": DSFR_DIST, "static": app.static_folder})

    @app.context_processor
    def inject_service():
        return {"has_endpoint": lambda endpoint: endpoint in app.view_functions,
                "offline_mode": app.config["OFFLINE"], "dsfr_available": Path(DSFR_DIST, "dsfr.min.css").exists()}
