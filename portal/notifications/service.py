"""Digests for champions and coordinators and reminders for households, queued in the outbox by
``flask send-digests`` (run it from a timer, e.g. every hour; it only sends what is due).

- Digest: what happened in the person's initiatives (champion) or municipalities (coordinator) since their last
  digest: new initiatives, households that joined, new commitments, withdrawals, paper forms to verify. Daily or
  weekly as each person chose (default weekly); nothing is sent when nothing happened.
- Reminder: a member of a household that joined but did not rank the conditions or commit gets at most one
  reminder per 14 days, with a one-click opt-out link that works without logging in. The link carries the
  user id signed with the app's secret (itsdangerous), so it cannot be made for someone else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, exists, func, select

from portal.audit.service import record
from portal.extensions import db
from portal.mail import queue
from portal.models import (
    Commitment,
    CommitmentStatus,
    Digest,
    Initiative,
    Membership,
    NotificationSetting,
    PaperForm,
    Ranking,
    Review,
    Role,
    RoleGrant,
    User,
)

REMINDER_INTERVAL = dt.timedelta(days=14)
PERIODS = {Digest.daily: dt.timedelta(days=1), Digest.weekly: dt.timedelta(days=7)}
# A timer that runs a little early still sends a digest that is nearly due.
SLACK = dt.timedelta(hours=1)
_SALT = "reminder-opt-out"


def setting_for(user: User) -> NotificationSetting:
    setting = db.session.get(NotificationSetting, user.id)
    if setting is None:
        setting = NotificationSetting(user_id=user.id, digest=Digest.weekly)
        db.session.add(setting)
    return setting


def save_choices(user: User, digest: str, reminders: bool, now: dt.datetime) -> None:
    setting = setting_for(user)
    setting.digest = digest
    if reminders:
        setting.reminders_off_at = None
    elif setting.reminders_off_at is None:
        setting.reminders_off_at = now
    record("account.notifications_changed", user.id, user, digest=digest, reminders=reminders)


def opt_out_token(user_id: int) -> str:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT).dumps(user_id)


def user_for_opt_out(token: str) -> User | None:
    """The account a genuine opt-out link was made for; None for a changed or made-up link."""
    try:
        user_id = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT).loads(token[:200])
    except BadSignature:
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    return user if user is not None and user.deleted_at is None else None


def opt_out(user: User, now: dt.datetime) -> None:
    setting = setting_for(user)
    if setting.reminders_off_at is None:
        setting.reminders_off_at = now
        record("account.reminders_opted_out", user.id, user)


@dataclass(slots=True)
class DigestNews:
    new_initiatives: list[str] = field(default_factory=list)
    joined: dict[str, int] = field(default_factory=dict)  # initiative name → households that joined
    commitments: dict[str, int] = field(default_factory=dict)
    withdrawals: dict[str, int] = field(default_factory=dict)
    paper_forms: int = 0

    def __bool__(self) -> bool:
        return bool(self.new_initiatives or self.joined or self.commitments or self.withdrawals or self.paper_forms)


def _counts(statement: object) -> dict[str, int]:
    return dict(db.session.execute(statement).all())  # type: ignore[call-overload]


def news_for(user: User, since: dt.datetime) -> DigestNews:
    """What happened since ``since`` in what the user runs (champion) or coordinates (coordinator)."""
    champion_of = [g.initiative_id for g in user.grants if g.role == Role.champion]
    coordinator_of = [g.municipality_id for g in user.grants if g.role == Role.coordinator]
    scope = Initiative.id.in_(champion_of) | Initiative.municipality_id.in_(coordinator_of)
    news = DigestNews()
    if coordinator_of:
        news.new_initiatives = list(db.session.scalars(select(Initiative.name).where(
            Initiative.municipality_id.in_(coordinator_of), Initiative.review_status == Review.new,
            Initiative.created_at >= since).order_by(Initiative.name)))
        news.paper_forms = db.session.scalar(
            select(func.count(PaperForm.id)).join(Commitment, Commitment.id == PaperForm.commitment_id)
            .join(Initiative, Initiative.id == Commitment.initiative_id)
            .where(Initiative.municipality_id.in_(coordinator_of), PaperForm.verified_at.is_(None))) or 0
    news.joined = _counts(select(Initiative.name, func.count(Membership.id))
                          .join(Membership, Membership.initiative_id == Initiative.id)
                          .where(scope, Membership.joined_at >= since).group_by(Initiative.name))
    news.commitments = _counts(select(Initiative.name, func.count(Commitment.id))
                               .join(Commitment, Commitment.initiative_id == Initiative.id)
                               .where(scope, Commitment.created_at >= since,
                                      Commitment.status.in_([CommitmentStatus.valid, CommitmentStatus.pending_cosign]))
                               .group_by(Initiative.name))
    news.withdrawals = _counts(select(Initiative.name, func.count(Commitment.id))
                               .join(Commitment, Commitment.initiative_id == Initiative.id)
                               .where(scope, Commitment.status == CommitmentStatus.withdrawn,
                                      Commitment.ended_at >= since).group_by(Initiative.name))
    return news


def send_digests(now: dt.datetime) -> int:
    """Queue a digest for every champion and coordinator whose period has passed; returns how many."""
    people = db.session.scalars(
        select(User).where(User.deleted_at.is_(None), exists().where(
            RoleGrant.user_id == User.id, RoleGrant.role.in_([Role.champion, Role.coordinator])))
        .order_by(User.id)).all()
    settings = {s.user_id: s for s in db.session.scalars(
        select(NotificationSetting).where(NotificationSetting.user_id.in_([p.id for p in people])))}
    sent = 0
    for person in people:
        setting = settings.get(person.id)
        if setting is None:
            setting = NotificationSetting(user_id=person.id, digest=Digest.weekly)
            db.session.add(setting)
        if setting.digest not in PERIODS:
            continue
        period = PERIODS[Digest(setting.digest)]
        since = setting.last_digest_at or now - period
        if setting.last_digest_at is not None and now - setting.last_digest_at < period - SLACK:
            continue
        news = news_for(person, since)
        setting.last_digest_at = now
        if not news:
            continue
        queue(person.email, "digest", locale=person.locale, name=person.first_name, news=news,
              daily=setting.digest == Digest.daily, settings_url=url_for("notifications.settings", _external=True))
        sent += 1
    return sent


def send_reminders(now: dt.datetime) -> int:
    """Queue a reminder for members whose household joined but who did not rank or commit, at most one per
    14 days per person, never after they opted out. Returns how many."""
    ranked = exists().where(Ranking.user_id == Membership.user_id, Ranking.initiative_id == Membership.initiative_id)
    committed = exists().where(Commitment.household_id == Membership.household_id,
                               Commitment.status.in_([CommitmentStatus.valid, CommitmentStatus.pending_cosign]))
    rows = db.session.execute(
        select(User, Initiative).join(Membership, Membership.user_id == User.id)
        .join(Initiative, Initiative.id == Membership.initiative_id)
        .outerjoin(NotificationSetting, NotificationSetting.user_id == User.id)
        .where(Membership.ended_at.is_(None), User.deleted_at.is_(None), Initiative.phase != "closed",
               ~and_(ranked, committed), NotificationSetting.reminders_off_at.is_(None),
               (NotificationSetting.last_reminder_at.is_(None))
               | (NotificationSetting.last_reminder_at <= now - REMINDER_INTERVAL))
        .order_by(User.id, Initiative.id)).all()
    settings = {s.user_id: s for s in db.session.scalars(
        select(NotificationSetting).where(NotificationSetting.user_id.in_({user.id for user, _i in rows})))}
    reminded: set[int] = set()
    for user, initiative in rows:
        if user.id in reminded:  # one reminder per person, even with households in two initiatives
            continue
        reminded.add(user.id)
        if user.id not in settings:
            settings[user.id] = NotificationSetting(user_id=user.id, digest=Digest.weekly)
            db.session.add(settings[user.id])
        settings[user.id].last_reminder_at = now
        queue(user.email, "reminder", locale=user.locale, name=user.first_name, initiative_name=initiative.name,
              rank_url=url_for("conditions.rank", slug=initiative.slug, _external=True),
              opt_out_url=url_for("notifications.opt_out", token=opt_out_token(user.id), _external=True))
    return len(reminded)
