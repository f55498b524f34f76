"""The JSON API (/api/v1): same search parameters as the page, facets included."""

from flask import request

from guichet.api.errors import json_error  # noqa: F401 (what features answer errors with)

# Lists and records change at most with a scrape or a curator's save: a minute of caching
# costs nothing and keeps the sites of départements and EPCI that reuse the API light.
CACHE_CONTROL = "public, max-age=60"


def init_app(app):
    from flask_cors import CORS

    from guichet.api.docs import SWAGGER_DIST
    from guichet.api.docs import bp as docs_bp
    from guichet.api.views import bp
    from guichet.web import assets

    app.register_blueprint(bp)
    app.register_blueprint(docs_bp)
    assets.register_folder(app, "api_docs.swagger_asset", SWAGGER_DIST)
    # Open for reuse by any site (départements, EPCI, associations): reads only, no cookies.
    CORS(app, resources={r"/api/v1/*": {"origins": "*", "methods": ["GET", "HEAD", "OPTIONS"],
                                        "supports_credentials": False, "send_wildcard": True,
                                        "max_age": 86400}})
    app.after_request(conditional_and_cacheable)


def conditional_and_cacheable(response):
    """An ETag and a cache lifetime on every successful read of the API; 304 when the client
    has that version already."""
    if (request.path.startswith("/api/v1/") and request.method in ("GET", "HEAD")
            and response.status_code == 200 and response.is_json):
        response.add_etag()
        response.headers.setdefault("Cache-Control", CACHE_CONTROL)
        response.make_conditional(request)
    return response
