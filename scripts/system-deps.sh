#!/usr/bin/env bash
# The Debian packages Warmteburen needs outside Python, per purpose:
#
#   scripts/system-deps.sh run|test|postgres|bench ...
#
# Checks them with dpkg-query (fast, nothing else happens when all are there). Missing ones are
# installed with apt-get (one `apt-get update`, non-interactive) when this runs as root; otherwise it
# stops with one line naming the apt-get command to run. Used by the Makefile and by .ci/run.
set -euo pipefail

# WeasyPrint (flyers, poster, PDF exports): Pango, HarfBuzz-subset for embedding font subsets, a font.
run=(fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
# The browser tests drive Debian's Chromium (never a downloaded one).
test=("${run[@]}" chromium)
# pg_isready, pg_dump and pg_restore for .ci/run and the PostgreSQL runs; nginx for the deploy/ example's
# tests (nginx -t on the site, and the two-instance test through it).
postgres=(postgresql-client nginx-light)
# wrk generates the load, so a Python load generator does not compete for the same cores.
bench=("${run[@]}" postgresql-client wrk)

if [ "$#" -eq 0 ]; then
  echo "usage: $0 run|test|postgres|bench ..." >&2
  exit 2
fi

wanted=()
for purpose in "$@"; do
  case "$purpose" in
    run) wanted+=("${run[@]}") ;;
    test) wanted+=("${test[@]}") ;;
    postgres) wanted+=("${postgres[@]}") ;;
    bench) wanted+=("${bench[@]}") ;;
    *) echo "$0: unknown purpose '$purpose' (run, test, postgres, bench)" >&2; exit 2 ;;
  esac
done

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "Not a Debian system: make sure these (or your system's equivalents) are installed: ${wanted[*]}" >&2
  exit 0
fi

# One dpkg-query call for all packages; unknown packages only print to stderr.
installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${wanted[@]}" 2>/dev/null || true)
missing=()
for package in "${wanted[@]}"; do
  if ! grep -qx "$package installed" <<<"$installed" && [[ " ${missing[*]} " != *" $package "* ]]; then
    missing+=("$package")
  fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

command_line="apt-get install --yes --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages; install them first: sudo $command_line" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install --yes -qq --no-install-recommends "${missing[@]}" >/dev/null
