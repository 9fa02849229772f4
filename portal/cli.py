"""Command-line tasks: thin click wrappers around services. ``flask --app portal.app <command>``."""

from __future__ import annotations

import time

import click
from flask import Flask
from sqlalchemy import func, select

from portal import mail, uploads
from portal.accounts import passwords
from portal.accounts.passwords import MIN_LENGTH
from portal.accounts.service import normalise_email, user_by_email
from portal.audit.service import record
from portal.extensions import db
from portal.models import Role, RoleGrant, User
from portal.models.base import utcnow


@click.command("seed-demo")
def seed_demo() -> None:
    """Fill an empty database with a realistic demo and print the log-ins."""
    from portal import demo  # only this command needs the demo street

    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database already has accounts; the demo was not added.")
        return
    logins = demo.seed()
    db.session.commit()
    click.echo("Demo ready. Log in at http://127.0.0.1:5000/account/login with:")
    for role, email in logins:
        click.echo(f"  {role:<12} {email:<34} password: {demo.PASSWORD}")


@click.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option(help="At least 12 characters; asked for when not given.")
def create_admin(email: str, name: str, password: str) -> None:
    """Create an administrator account (or make an existing account administrator)."""
    if len(password) < MIN_LENGTH or passwords.is_common(password, email=email, name=name):
        raise click.UsageError(f"Choose a password of at least {MIN_LENGTH} characters that is not common.")
    user = user_by_email(email)
    if user is None:
        user = User(email=normalise_email(email), name=name.strip()[:100],
                    password_hash=passwords.hash_password(password), confirmed_at=utcnow(), locale="nl")
        db.session.add(user)
        db.session.flush()
    if not user.is_admin:
        db.session.add(RoleGrant(user_id=user.id, role=Role.admin))
    record("account.admin_created", None, user)
    db.session.commit()
    click.echo(f"{user.email} is an administrator.")


@click.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep running; send due mail every --interval seconds.")
@click.option("--interval", default=30, show_default=True)
def send_mail(loop: bool, interval: int) -> None:
    """Send queued e-mail over SMTP. Failed mail stays queued and is retried later."""
    while True:
        sent, failed = mail.send_due()
        click.echo(f"sent {sent}, not sent {failed}")
        if not loop:
            return
        time.sleep(interval)


@click.command("housekeeping")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
def housekeeping(dry_run: bool) -> None:
    """Remove uploaded files (photos, scans) that no row points to and that are older than an hour."""
    found = uploads.remove_orphans(dry_run=dry_run)
    for path in found:
        click.echo(f"  {path}")
    click.echo(f"{len(found)} files no row points to {'would be' if dry_run else 'were'} removed.")


@click.command("purge-expired")
def purge_expired() -> None:
    """Delete what passed its retention period (RETENTION_DAYS; the privacy statement shows them)."""
    from portal.privacy.retention import purge_expired as purge

    purged = purge(utcnow())
    db.session.commit()
    click.echo(f"removed: {purged.audit_log} audit entries, {purged.sent_email} e-mails, "
               f"{purged.account_tokens} account links, {purged.unconfirmed_accounts} unconfirmed accounts, "
               f"personal data of {purged.signed_agreements} signatures of agreements and "
               f"{purged.signed_interest_and_intent} of interest or intent")


@click.command("send-digests")
def send_digests() -> None:
    """Queue due digests and reminders in the outbox (run from a timer; `send-mail` sends them)."""
    from flask import current_app

    from portal.notifications import service

    if not current_app.config.get("SERVER_NAME"):
        raise click.UsageError("Set SERVER_NAME (e.g. warmteburen.example.nl): the e-mails hold links to the portal.")
    now = utcnow()
    digests = service.send_digests(now)
    reminders = service.send_reminders(now)
    db.session.commit()
    click.echo(f"queued {digests} digests and {reminders} reminders")


@click.command("verify-log")
@click.option("--head", default=None, help="A head hash recorded elsewhere (a receipt, a backup): must be the end.")
def verify_log(head: str | None) -> None:
    """Check the commitment event log's hash chain; prints OK and the head hash, or the first broken link."""
    from portal.commitments.service import verify_log as check

    result = check(head=head.strip().lower() if head else None)
    if result.ok:
        click.echo(f"OK: {result.count} events, head {result.head}")
        return
    click.echo(f"BROKEN at event {result.broken_at} (of {result.count} stored)", err=True)
    raise SystemExit(1)


def register_commands(app: Flask) -> None:
    for command in (seed_demo, create_admin, send_mail, housekeeping, purge_expired, send_digests, verify_log):
        app.cli.add_command(command)
