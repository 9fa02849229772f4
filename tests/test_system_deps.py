"""scripts/system-deps.sh (used by the Makefile and .ci/run) and the check at the start of the suite.

The script runs against fake dpkg-query, id and apt-get on PATH, so nothing is installed here.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests import system_libraries

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "system-deps.sh"


@pytest.fixture
def fake_system(tmp_path: Path):
    """Run the script with `missing` packages absent and the given user id; returns (result, apt-get calls)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    apt_log = tmp_path / "apt-get.log"
    scripts = {
        # Prints "<package> installed" for every package asked about, except those in FAKE_MISSING.
        "dpkg-query": 'shift 2; for p in "$@"; do case " $FAKE_MISSING " in *" $p "*) '
                      'echo "dpkg-query: no packages found matching $p" >&2 ;; *) echo "$p installed" ;; esac; done',
        "id": 'echo "$FAKE_UID"',
        "apt-get": f'echo "$DEBIAN_FRONTEND $*" >> {apt_log}',
    }
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text(f"#!/bin/bash\n{body}\n")
        path.chmod(0o755)

    def run(*purposes: str, missing: str = "", uid: int = 0) -> tuple[subprocess.CompletedProcess[str], list[str]]:
        env = os.environ | {"PATH": f"{bin_dir}:/usr/bin:/bin", "FAKE_MISSING": missing, "FAKE_UID": str(uid)}
        result = subprocess.run(["/bin/bash", str(SCRIPT), *purposes], env=env, capture_output=True, text=True,
                                check=False)
        calls = apt_log.read_text().splitlines() if apt_log.exists() else []
        return result, calls

    return run


def test_nothing_happens_when_every_package_is_installed(fake_system):
    result, apt_calls = fake_system("test", "postgres")
    assert result.returncode == 0, result.stderr
    assert apt_calls == []  # not even `apt-get update`
    assert result.stdout == result.stderr == ""


def test_root_installs_only_the_missing_packages_after_one_update(fake_system):
    result, apt_calls = fake_system("test", missing="chromium libharfbuzz-subset0")
    assert result.returncode == 0, result.stderr
    assert apt_calls == ["noninteractive update -qq",
                         "noninteractive install --yes -qq --no-install-recommends libharfbuzz-subset0 chromium"]


def test_without_root_it_stops_with_one_line_naming_the_command(fake_system):
    result, apt_calls = fake_system("test", missing="chromium", uid=1000)
    assert result.returncode == 1
    assert apt_calls == []
    assert result.stderr.splitlines() == [
        "Missing Debian packages; install them first: "
        "sudo apt-get install --yes --no-install-recommends chromium"]


def test_each_purpose_asks_for_its_own_packages(fake_system):
    everything = "chromium wrk postgresql-client libpango-1.0-0"
    assert "wrk" in fake_system("bench", missing=everything, uid=1000)[0].stderr
    run_only = fake_system("run", missing=everything, uid=1000)[0].stderr
    assert "libpango-1.0-0" in run_only and "chromium" not in run_only and "wrk" not in run_only
    assert fake_system("nonsense")[0].returncode == 2


def test_the_suite_names_a_missing_weasyprint_library():
    missing = system_libraries.missing_libraries(loads=lambda library: "subset" not in library)
    assert missing == ["libharfbuzz-subset0"]
    assert "apt-get install --yes --no-install-recommends libharfbuzz-subset0" in system_libraries.message(missing)


def test_the_suite_names_a_missing_chromium(tmp_path):
    assert system_libraries.missing_chromium(tmp_path / "chromium") == ["chromium"]
    assert system_libraries.missing_chromium(Path(SCRIPT)) == []

