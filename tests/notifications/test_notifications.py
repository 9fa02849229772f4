"""Digests and reminders: queued by `flask send-digests`, at most one reminder per 14 days, one-click opt-out
without logging in that cannot be forged."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Membership, NotificationSetting, Ranking, Role
from portal.models.base import utcnow
from portal.notifications import service


@pytest.fixture
def config(config):
    """E-mails made outside a request need the host name for their links (the test client uses "localhost")."""
    return config | {"SERVER_NAME": "localhost"}


def _member(make_user, make_household, initiative, **user):
    person = make_user(**user)
    household = make_household(initiative)
    db.session.add(Membership(household_id=household.id, initiative_id=initiative.id, user_id=person.id))
    db.session.commit()
    return person


def test_a_member_who_did_not_rank_gets_one_reminder_per_14_days(app, runner, make_user, make_initiative,
                                                                 make_household, outbox):
    initiative = make_initiative(name="Lindelaan")
    person = _member(make_user, make_household, initiative, email="els@example.nl")
    assert "queued 0 digests and 1 reminders" in runner.invoke(args=["send-digests"]).output
    (message,) = outbox()
    assert message.to_address == "els@example.nl" and "Lindelaan" in message.subject
    assert "/notifications/stop/" in message.body_text
    runner.invoke(args=["send-digests"])
    assert len(outbox()) == 1  # not again within 14 days
    setting = db.session.get(NotificationSetting, person.id)
    setting.last_reminder_at = utcnow() - dt.timedelta(days=15)
    db.session.commit()
    runner.invoke(args=["send-digests"])
    assert len(outbox()) == 2


def test_the_opt_out_link_works_without_login_and_cannot_be_forged(app, client, runner, make_user,
                                                                   make_initiative, make_household, outbox):
    person = _member(make_user, make_household, make_initiative())
    other = _member(make_user, make_household, make_initiative())
    runner.invoke(args=["send-digests"])
    body = next(m.body_text for m in outbox() if m.to_address == person.email)
    link = re.search(r"/notifications/stop/\S+", body).group(0)
    assert client.get(link).status_code == 200
    token = link.rsplit("/", 1)[1]
    forged = service.opt_out_token(other.id)[:-2] + "xx"
    assert client.post(f"/notifications/stop/{forged}").status_code == 404
    assert client.post(f"/notifications/stop/{token}x").status_code == 404
    assert client.post(link).status_code == 200
    assert db.session.get(NotificationSetting, person.id).reminders_off_at is not None
    assert db.session.get(NotificationSetting, other.id).reminders_off_at is None
    db.session.get(NotificationSetting, person.id).last_reminder_at = utcnow() - dt.timedelta(days=30)
    db.session.commit()
    before = len(outbox())
    runner.invoke(args=["send-digests"])
    assert all(m.to_address != person.email for m in outbox()[before:])


def test_a_member_who_ranked_and_committed_gets_no_reminder(app, runner, make_user, make_initiative,
                                                           make_household, outbox):
    initiative = make_initiative()
    person = _member(make_user, make_household, initiative)
    household_id = db.session.scalars(select(Membership.household_id)).one()
    db.session.add(Ranking(user_id=person.id, household_id=household_id, initiative_id=initiative.id, order=["a"],
                           must_haves=[], updated_at=utcnow()))
    from portal.models import Commitment, CommitmentText

    text = CommitmentText(level="interest", version=1, body="b", sha256="0" * 64)
    db.session.add(text)
    db.session.flush()
    db.session.add(Commitment(household_id=household_id, initiative_id=initiative.id, level="interest",
                              text_id=text.id, status="valid", verify_code="V", form_token="f"))
    db.session.commit()
    runner.invoke(args=["send-digests"])
    assert outbox() == []


def test_a_champion_gets_a_digest_only_when_something_happened(app, runner, make_user, make_initiative,
                                                               make_household, grant, outbox):
    initiative = make_initiative(name="Lindelaan")
    champion = make_user(email="joost@example.nl")
    grant(champion, Role.champion, initiative_id=initiative.id)
    setting = service.setting_for(champion)
    setting.digest, setting.reminders_off_at = "daily", utcnow()
    db.session.commit()
    runner.invoke(args=["send-digests"])
    assert [m.to_address for m in outbox()] == []  # nothing happened
    setting.last_digest_at = utcnow() - dt.timedelta(days=2)
    db.session.commit()
    _member(make_user, make_household, initiative)
    runner.invoke(args=["send-digests"])
    digest = [m for m in outbox() if m.to_address == "joost@example.nl"]
    assert len(digest) == 1 and "Lindelaan: 1 huishouden deed mee" in digest[0].body_text


def test_choosing_never_stops_digests(client, login, make_user, grant, make_initiative):
    person = make_user()
    grant(person, Role.champion, initiative_id=make_initiative().id)
    login(person)
    assert client.post("/account/notifications", data={"digest": "never"}).status_code == 302
    setting = db.session.get(NotificationSetting, person.id)
    assert setting.digest == "never" and setting.reminders_off_at is not None
    assert client.post("/account/notifications", data={"digest": "monthly"}).status_code == 422


def test_the_command_refuses_without_a_host_name_for_links(make_app):
    other = make_app(SERVER_NAME=None)
    with other.app_context():
        assert "Set SERVER_NAME" in other.test_cli_runner().invoke(args=["send-digests"]).output
