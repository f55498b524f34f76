"""Back office: the digest deliveries the mail server refused or could not take, with their
reason, and a retry (issue 12, point 5). Admins only: the page shows subscribers' addresses.

What a failure is and what a retry does is guichet.digests.sending's; these are its views.
"""

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from guichet.admin.views import admin_required, bp
from guichet.curation import audit
from guichet.db import get_session
from guichet.digests import sending
from guichet.digests.mailer import Mailer


@bp.get("/envois")
@admin_required
def deliveries():
    db = get_session()
    return render_template("admin/deliveries.html", deliveries=sending.failed_deliveries(db),
                           states=sending.FAILURE_STATES, can_retry=sending.can_retry)


@bp.post("/envois/<int:delivery_id>/renvoyer")
@admin_required
def retry_delivery(delivery_id):
    db = get_session()
    try:
        with Mailer(current_app.config) as mailer:
            report = sending.retry_delivery(db, mailer, delivery_id)
    except sending.RetryRefused as refused:
        db.rollback()
        flash(str(refused), "error")
        return redirect(url_for("admin.deliveries"))
    audit.record(db, current_user, "digest_retry", f"Lettre n° {delivery_id} renvoyée",
                 details={"delivery": delivery_id, "sent": report.sent})
    db.commit()
    if report.sent:
        flash("La lettre a été acceptée par le serveur de messagerie.", "success")
    elif report.errors or report.temporary_failures:
        # The relay could not be reached, or asked to come back: the letter waits for the next run.
        flash("Le serveur de messagerie n’a pas pu la prendre pour l’instant : elle partira au "
              "prochain envoi.", "error")
    else:
        flash("Le serveur de messagerie l’a de nouveau refusée : voyez la raison ci-dessous.", "error")
    return redirect(url_for("admin.deliveries"))
