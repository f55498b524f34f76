"""What keeps the service safe whatever the feature: secret keys, security headers on every
response, the trusted reverse proxies, the one HTML/URL sanitiser of the store.

Registers: the response headers (strict Content-Security-Policy: scripts and styles from our
own origin only, no inline script; framing refused; nosniff; Referrer-Policy; HSTS in
production) and werkzeug's ProxyFix when ``TRUSTED_PROXIES`` is set.
"""

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(response, production: bool):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
    if production:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app):
    from guichet.security.sanitise import watch_programmes

    watch_programmes()
    production = app.config["ENV"] == "production"
    app.after_request(lambda response: security_headers(response, production))
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
