"""What the suite needs from the operating system, checked before the first test (tests/conftest.py).

Without these, WeasyPrint fails to import or only warns, and `filterwarnings = error` would turn that
warning into a collection error deep in tests/invitations that explains nothing to a newcomer.
`scripts/system-deps.sh test` installs them; this check names what is still missing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable, Iterable
from pathlib import Path

# Shared library WeasyPrint loads → the Debian package that holds it.
WEASYPRINT_LIBRARIES = {
    "libpango-1.0.so.0": "libpango-1.0-0",
    "libpangoft2-1.0.so.0": "libpangoft2-1.0-0",
    "libharfbuzz-subset.so.0": "libharfbuzz-subset0",
}
CHROMIUM = Path("/usr/bin/chromium")


def _loads(soname: str) -> bool:
    """True when the library loads by its Linux name, or is found under its short name elsewhere."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        short = soname.removeprefix("lib").partition(".so")[0]  # "libpango-1.0.so.0" → "pango-1.0"
        return ctypes.util.find_library(short) is not None
    return True


def missing_libraries(loads: Callable[[str], bool] = _loads) -> list[str]:
    """Debian packages whose shared library cannot be loaded."""
    return [package for library, package in WEASYPRINT_LIBRARIES.items() if not loads(library)]


def missing_chromium(chromium: Path = CHROMIUM) -> list[str]:
    return [] if chromium.exists() else ["chromium"]


def message(packages: Iterable[str]) -> str:
    names = " ".join(packages)
    return (f"Missing Debian packages: {names}. Run `make test` as root (scripts/system-deps.sh installs them) "
            f"or: sudo apt-get install --yes --no-install-recommends {names}")
