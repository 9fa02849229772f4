"""Development only (registered when PORTAL_ENV=development): read the e-mail outbox in the browser."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from portal.extensions import db
from portal.models import OutboxMessage

bp = Blueprint("dev", __name__, url_prefix="/dev")


@bp.route("/outbox")
def outbox() -> str:
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(100)).all()
    return render_template("dev/outbox.html", messages=messages)


@bp.route("/outbox/<int:message_id>")
def message(message_id: int) -> str:
    return render_template("dev/message.html", message=db.get_or_404(OutboxMessage, message_id))
