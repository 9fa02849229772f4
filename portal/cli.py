"""Command-line tasks: thin click wrappers around services. ``flask --app portal.app <command>``."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click
from flask import Flask, current_app
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
    from portal.notifications import service

    _needs_server_name("the e-mails")
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


def _needs_server_name(what: str) -> None:
    """Commands that make links outside a request (e-mails, receipts) need the portal's host name."""
    if not current_app.config.get("SERVER_NAME"):
        raise click.UsageError(f"Set SERVER_NAME (e.g. warmteburen.example.nl): {what} hold links to the portal.")


def _needs_seal() -> None:
    """Receipts are sealed: say so at start, not once per receipt in the log after residents have signed."""
    from portal.commitments.seal import SealError, sealer

    try:
        sealer()
    except SealError as error:
        raise click.UsageError(f"Receipts cannot be sealed: {error}.") from None


@click.command("receipts")
@click.option("--loop", is_flag=True, help="Keep running: make receipts as signatures come in.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds to wait when nothing is missing.")
@click.option("--nice", default=19, show_default=True, help="With --loop: lower this process's CPU priority "
              "so signing requests on the same machine go first.")
@click.option("--quiet", default=2.0, show_default=True, help="With --loop: wait while someone signed in the "
              "last QUIET seconds, so a burst of signatures is not slowed down by rendering receipts.")
@click.option("--max-wait", default=30.0, show_default=True,
              help="With --loop: make receipts anyway once the oldest missing one is this many seconds old.")
def receipts_command(loop: bool, interval: float, nice: int, quiet: float, max_wait: float) -> None:
    """Render, seal, store and e-mail the commitment receipts that are still missing (the receipt worker)."""
    from portal.commitments import receipts

    _needs_server_name("receipts")
    _needs_seal()
    if loop and nice:
        os.nice(nice)
    while True:
        run = receipts.make_missing(quiet=quiet if loop else 0, max_wait=max_wait)
        if run.made or run.failed or not loop:
            click.echo(f"made {run.made} receipts, {run.failed} failed")
        if not loop:
            return
        if not run.made:  # a full batch means more may be waiting: go on at once
            time.sleep(interval)


@click.command("repair")
def repair() -> None:
    """After a crash: make every missing receipt, then check the event log. Exit 1 if anything is left."""
    from portal.commitments import receipts
    from portal.commitments.service import verify_log as check

    _needs_server_name("receipts")
    _needs_seal()
    missing, made = receipts.missing_count(), 0
    while True:
        run = receipts.make_missing(limit=50)
        made += run.made
        if not run.made:  # nothing left, or only receipts that fail every time (logged)
            break
    left = receipts.missing_count()
    click.echo(f"receipts: {missing} missing, {made} made, {left} still missing")
    result = check()
    click.echo(f"event log: {'OK' if result.ok else f'BROKEN at event {result.broken_at}'}, "
               f"{result.count} events, head {result.head}")
    if left or not result.ok:
        raise SystemExit(1)


def _sqlite_database() -> Path:
    """The SQLite file of this deployment; PostgreSQL has its own tools (README "Backups")."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.UsageError("This deployment uses PostgreSQL: back it up with pg_dump and restore with "
                               "pg_restore (deploy/warmteburen-backup.sh, README \"Backups\").")
    return Path(url.database)


@click.command("backup")
@click.option("--to", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the backup file (default: instance/backups).")
def backup_command(folder: Path | None) -> None:
    """Copy the SQLite database to a file named with the UTC time; safe while the portal runs."""
    from portal import backup

    database = _sqlite_database()
    try:
        target = backup.backup(database, folder or Path(current_app.instance_path) / "backups", utcnow())
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"backup written: {target}")


@click.command("restore")
@click.argument("backup_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.confirmation_option(prompt="Replace the database with this backup? Stop the web and worker services first.")
def restore_command(backup_file: Path) -> None:
    """Replace the SQLite database with BACKUP_FILE (the current one is backed up first)."""
    from portal import backup
    from portal.app import MIGRATIONS
    from portal.commitments.service import verify_log as check
    from portal.database import schema_is_current

    database = _sqlite_database()
    db.session.remove()
    db.engine.dispose()  # no pooled connection keeps a page of the old database
    try:
        previous = backup.restore(backup_file, database, MIGRATIONS, utcnow())
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    db.engine.dispose()
    if previous:
        click.echo(f"the database as it was: {previous}")
    click.echo(f"restored {backup_file} (migration {backup.revision(database)})")
    if not schema_is_current(db.engine, MIGRATIONS):
        click.echo("The backup is from an older release: run `flask --app portal.app db upgrade`, "
                   "then `flask --app portal.app verify-log`.")
        return
    result = check()
    click.echo(f"event log: {'OK' if result.ok else f'BROKEN at event {result.broken_at}'}, "
               f"{result.count} events, head {result.head}")
    if not result.ok:
        raise SystemExit(1)


def register_commands(app: Flask) -> None:
    for command in (seed_demo, create_admin, send_mail, housekeeping, purge_expired, send_digests, verify_log,
                    receipts_command, repair, backup_command, restore_command):
        app.cli.add_command(command)
