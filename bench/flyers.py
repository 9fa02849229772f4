"""Flyer PDFs for a street of 100 households: wall time and memory, chunked vs in one go.

    .venv/bin/python bench/flyers.py            (make bench runs every script in bench/)

Each case runs in a fresh Python process, because ru_maxrss is a high-water mark of the whole
process: the parent starts ``bench/flyers.py --case <layout> <chunk_size>`` and reads one JSON line.
A case warms up (imports, fontconfig, catalogs) with one flyer, then renders the batch once, timed,
and reports how far the batch raised the process's peak RSS (Python objects and the C memory of
Pango/HarfBuzz alike). ``--tracemalloc`` adds a second run under tracemalloc (Python allocations
only; slow: about 20× the render time). Targets: < 10 s per batch; the chunked peak growth (20
households per WeasyPrint document, then merged) at most 60 % of one document with all 100.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from _harness import report_measured

ROOT = Path(__file__).resolve().parent.parent
HOUSEHOLDS = 100
TIME_TARGET = 10.0  # seconds per batch of 100
MEMORY_TARGET = 0.6  # chunked peak / unchunked peak
CASES = [("a4", 20), ("a4", 100), ("a5", 20), ("a5", 100)]


def config(tmp: Path) -> dict[str, Any]:
    """Like tests/conftest.py's base_config: a throw-away SQLite file, nothing from the machine."""
    return {
        "TESTING": True, "PORTAL_ENV": "development", "SECRET_KEY": "benchmark-only-secret",
        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "CHECK_SCHEMA_AT_START": False,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite'}", "MAIL_OUTBOX_DIR": str(tmp / "outbox"),
        "UPLOADS_DIR": str(tmp / "uploads"), "SERVER_NAME": None,
    }


def run_case(layout: str, chunk_size: int, traced: bool) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from pypdf import PdfReader

    from portal.app import create_app
    from portal.domain.codes import format_code, new_code
    from portal.invitations.flyers import FlyerHousehold, FlyerInitiative, flyers_pdf

    initiative = FlyerInitiative(
        name="Mini-warmtenet Lindelaan", champion_first_name="Anna", place="Utrecht",
        streets=("Lindelaan", "Eikstraat"), initiative_url="https://warmteburen.example.nl/i/lindelaan",
        story_excerpt="Wij zijn buren aan de Lindelaan en willen samen van het gas af, betaalbaar en zonder gedoe.")
    rng = random.Random(42)
    households = []
    for n in range(1, HOUSEHOLDS + 1):
        code = new_code(rng.randrange)
        households.append(FlyerHousehold(f"Lindelaan {n}, 3581 AB Utrecht", format_code(code),
                                         f"https://warmteburen.example.nl/c/{code}"))
    today = dt.date(2026, 11, 25)

    def render() -> bytes:
        return flyers_pdf(initiative, households, layout=layout, cut_marks=layout == "a5", language="nl",
                          today=today, chunk_size=chunk_size)

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(config(Path(tmp)))
        with app.test_request_context():
            flyers_pdf(initiative, households[:1], layout=layout, cut_marks=False, language="nl", today=today)
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            start = time.perf_counter()
            data = render()
            seconds = time.perf_counter() - start
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            traced_peak = None
            if traced:
                tracemalloc.start()
                render()
                traced_peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
    return {"seconds": seconds, "traced_peak": traced_peak, "rss_growth": (rss_after - rss_before) * 1024,
            "rss_peak": rss_after * 1024, "pages": len(PdfReader(io.BytesIO(data)).pages), "bytes": len(data)}


def measure(layout: str, chunk_size: int, traced: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, "--case", layout, str(chunk_size), *(["--tracemalloc"] if traced else [])]
    output = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main(traced: bool) -> int:
    results = {case: measure(*case, traced) for case in CASES}
    passed: list[bool] = []
    for (layout, chunk_size), result in results.items():
        label = f"flyers {layout} ×{HOUSEHOLDS} (chunks of {chunk_size}), {result['pages']} pages"
        passed.append(report_measured(label, f"{result['seconds']:.2f} s", f"< {TIME_TARGET:.0f} s",
                                      result["seconds"] / TIME_TARGET, result["seconds"] < TIME_TARGET))
    mib = 1024 * 1024
    for layout in ("a4", "a5"):
        chunked, whole = results[(layout, 20)], results[(layout, HOUSEHOLDS)]
        ratio = chunked["rss_growth"] / whole["rss_growth"]
        passed.append(report_measured(f"{layout} peak RSS growth, chunks of 20 vs 100",
                                      f"{chunked['rss_growth'] / mib:.0f}/{whole['rss_growth'] / mib:.0f} MiB",
                                      f"≤ {MEMORY_TARGET:.2f}", ratio, ratio <= MEMORY_TARGET))
        print(f"{'':<4}peak RSS of the process: {chunked['rss_peak'] / mib:.0f} MiB chunked, "
              f"{whole['rss_peak'] / mib:.0f} MiB in one document")
        if traced:
            ratio = chunked["traced_peak"] / whole["traced_peak"]
            passed.append(report_measured(f"{layout} tracemalloc peak, chunks of 20 vs 100",
                                          f"{chunked['traced_peak'] / mib:.0f}/{whole['traced_peak'] / mib:.0f} MiB",
                                          f"≤ {MEMORY_TARGET:.2f}", ratio, ratio <= MEMORY_TARGET))
    return 0 if all(passed) else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--case"]:
        print(json.dumps(run_case(sys.argv[2], int(sys.argv[3]), "--tracemalloc" in sys.argv)))
    else:
        sys.exit(main("--tracemalloc" in sys.argv))
