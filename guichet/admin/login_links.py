"""Back office: the « lien de connexion par courriel » for admins (issue 12, point 6).

Asking (/admin/login/lien) always answers the same sentence, whether the address names an
admin or not; the e-mailed link opens a page whose button logs in (a POST: a mail scanner
that follows the link does not spend it). What a link is: guichet.admin.accounts.
"""

import logging

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import login_user

from guichet.admin import accounts
from guichet.admin.views import PUBLIC_ENDPOINTS, _client_address, bp
from guichet.db import get_session
from guichet.digests.mailer import Mailer, MailFailure, build_message, render_email
from guichet.web.errors import public_url

log = logging.getLogger(__name__)
PUBLIC_ENDPOINTS.update({"admin.login_link", "admin.use_login_link"})


@bp.route("/login/lien", methods=["GET", "POST"])
def login_link():
    minutes = int(current_app.config["LOGIN_LINK_MINUTES"])
    if request.method == "GET":
        return render_template("admin/login_link.html", minutes=minutes, email="", sent=False)
    email = (request.form.get("email") or "").strip()
    db = get_session()
    try:
        found = accounts.request_login_link(db, email, _client_address(), current_app.config)
    except accounts.LinkRequestsThrottled as throttled:
        db.rollback()
        return render_template("admin/login_link.html", minutes=minutes, email=email, sent=False,
                               error=throttled.message), 429, {"Retry-After": "3600"}
    db.commit()
    if found is not None:
        user, token = found
        link_url = public_url("admin.use_login_link", token=token)
        subject, text, html = render_email("login_link", link_url=link_url, minutes=minutes)
        try:
            with Mailer(current_app.config) as mailer:
                mailer.send(build_message(user.email, subject, text, html))
        except MailFailure as error:
            # Said to nobody but the log: the page must not tell whether the account exists.
            log.warning("login link for user %s not sent: %s", user.id, error)
    return render_template("admin/login_link.html", minutes=minutes, email=email, sent=True)


@bp.route("/login/lien/<token>", methods=["GET", "POST"])
def use_login_link(token):
    db = get_session()
    if request.method == "GET":
        valid = accounts.login_link_valid(db, token) is not None
        return render_template("admin/login_link_use.html", token=token, valid=valid), 200 if valid else 410
    user = accounts.use_login_link(db, token)
    if user is None:
        db.rollback()
        return render_template("admin/login_link_use.html", token=token, valid=False), 410
    db.commit()
    session.clear()  # a fresh session, as at a password login
    login_user(user)
    flash("Vous êtes connecté·e.", "success")
    return redirect(url_for("admin.queue"))
