#!/bin/sh
# PostgreSQL backup for Warmteburen (warmteburen-backup.service runs it nightly on one host).
#
# Writes $BACKUP_DIR/warmteburen-<UTC time>.dump (pg_dump custom format: compressed, restorable table by
# table with pg_restore) and next to it <same>.verify-log with `flask verify-log` output: the head hash of the
# commitment event log at that moment, to compare after a restore. Removes dumps older than
# $BACKUP_KEEP_DAYS days. Needs pg_dump from the same or a newer PostgreSQL major version as the server.
# tests/test_backup_postgres.py runs this script and restores what it wrote.
set -eu

: "${DATABASE_URL:?set DATABASE_URL (the env file)}"
BACKUP_DIR=${BACKUP_DIR:-/var/backups/warmteburen}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-35}
FLASK=${FLASK:-flask}

# pg_dump takes libpq URLs only: postgresql+psycopg://… (SQLAlchemy's form) becomes postgresql://….
url=$(printf '%s' "$DATABASE_URL" | sed -e 's|^postgresql+psycopg://|postgresql://|' -e 's|^postgres://|postgresql://|')
stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$BACKUP_DIR/warmteburen-$stamp.dump"

umask 077
mkdir -p "$BACKUP_DIR"
# Written under a temporary name and renamed, so a half-written dump never looks like a backup.
pg_dump --format=custom --no-owner --file="$target.partial" "$url"
mv "$target.partial" "$target"
"$FLASK" --app portal.app verify-log > "$BACKUP_DIR/warmteburen-$stamp.verify-log"
find "$BACKUP_DIR" -maxdepth 1 -name 'warmteburen-*' -mtime +"$BACKUP_KEEP_DAYS" -delete
echo "$target"
