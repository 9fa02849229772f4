"""Write docs/betrouwbaarheid.md, "Betrouwbaarheid en beveiliging", from measurements made by this command.

    .venv/bin/python scripts/reliability_report.py [--quick]      (make reliability)

Nothing in the document is typed by hand: it runs the load test (loadtest/run.py: 50 users for 2 minutes;
``--quick``: 20 users for 20 seconds), the concurrent-signing benchmark (bench/signers.py) and the fault,
security and bad-input tests on a fresh PostgreSQL database (tests/with_postgres.py, pytest's JUnit XML), and
writes what they measured, with the date and the machine. The audience is a municipality's reviewer: Dutch,
short, each figure with what it means.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
OUTPUT = ROOT / "docs" / "betrouwbaarheid.md"

# What the reviewer reads, and the tests that show it (paths that do not exist are left out).
TEST_GROUPS: list[tuple[str, str, list[str]]] = [
    ("Storingen", "Wat er gebeurt als een onderdeel uitvalt: database, Redis, e-mail, schijf, een werkproces.",
     ["tests/faults", "tests/test_mail.py", "tests/commitments/test_receipt_worker.py", "tests/monitoring"]),
    ("Gelijktijdigheid en bewijs", "Dubbel tikken, twee tabbladen, veel ondertekenaars tegelijk, het logboek.",
     ["tests/commitments/test_concurrency.py", "tests/commitments/test_eventlog.py",
      "tests/commitments/test_integrity.py", "tests/commitments/test_security.py"]),
    ("Foute invoer", "Lege, te lange, vreemde en kwaadaardige invoer in elk formulier, en fuzzing.",
     ["tests/security/test_bad_input.py", "tests/security/test_fuzz.py", "tests/test_long_input.py"]),
    ("Beveiliging", "Eén of meer tests per regel van SECURITY.md: toegang, CSRF, limieten, koppen, uploads.",
     ["tests/security", "tests/test_route_access.py", "tests/test_downloads.py"]),
    ("Meer servers en back-ups", "Twee app-servers achter één database en Redis, nginx, back-up en terugzetten.",
     ["tests/test_deploy.py", "tests/test_deploy_config.py", "tests/test_backup.py", "tests/test_backup_postgres.py"]),
]


def run(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, cwd=ROOT, text=True, **options)  # noqa: S603 (our own scripts)


def measure_load(folder: Path, quick: bool) -> dict[str, Any]:
    out = folder / "load.json"
    profile = ["--users", "20", "--seconds", "20"] if quick else []
    run([PYTHON, "loadtest/run.py", *profile, "--json", str(out)])
    return dict(json.loads(out.read_text(encoding="utf-8")))


def measure_signers(folder: Path) -> dict[str, Any]:
    out = folder / "signers.json"
    run([PYTHON, "bench/signers.py", "--json", str(out)])
    return dict(json.loads(out.read_text(encoding="utf-8")))


def run_tests(folder: Path) -> dict[str, list[dict[str, str]]]:
    """Every test of the groups, on a fresh PostgreSQL database: module → [{name, outcome}]."""
    paths = [path for _title, _about, group in TEST_GROUPS for path in group if (ROOT / path).exists()]
    junit = folder / "tests.xml"
    run([PYTHON, "tests/with_postgres.py", PYTHON, "-m", "pytest", "-q", "-p", "no:randomly",
         f"--junitxml={junit}", *paths])
    outcomes: dict[str, list[dict[str, str]]] = defaultdict(list)
    for case in ET.parse(junit).getroot().iter("testcase"):  # noqa: S314 (our own file)
        outcome = "geslaagd"
        if case.find("failure") is not None or case.find("error") is not None:
            outcome = "MISLUKT"
        elif case.find("skipped") is not None:
            outcome = "overgeslagen"
        module = case.get("classname", "").split(".")
        # classname is "tests.security.test_headers" or "tests.security.test_headers.TestClass"
        while module and not (ROOT / Path(*module).with_suffix(".py")).exists():
            module = module[:-1]
        outcomes["/".join(module) + ".py"].append({"name": case.get("name", ""), "outcome": outcome})
    return outcomes


def docstring(path: str) -> str:
    text = ast.get_docstring(ast.parse((ROOT / path).read_text(encoding="utf-8"))) or ""
    return text.strip().split("\n\n")[0].replace("\n", " ")


def machine() -> str:
    cores = os.cpu_count() or 0
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split("\n")[0].split()[1])
        memory = f", {kilobytes / 1024 / 1024:.1f} GB geheugen"
    return (f"{platform.system()} {platform.machine()}, {cores} processorkernen{memory}, "
            f"Python {platform.python_version()}")


def load_average() -> float:
    """Other work on the machine shows in every time measured: the 1-minute load average, at start and end."""
    return os.getloadavg()[0]


def write(load: dict[str, Any], signers: dict[str, Any], tests: dict[str, list[dict[str, str]]], where: str) -> str:
    today = dt.datetime.now(dt.UTC)
    months = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
              "november", "december"]
    lines = [
        "# Betrouwbaarheid en beveiliging",
        "",
        f"Gemeten op {today.day} {months[today.month - 1]} {today.year} op {where}, met "
        "`make reliability` (scripts/reliability_report.py). Dit document is door dat commando geschreven; "
        "niets is met de hand ingevuld. Op een drukke machine vallen de tijden hoger uit.",
        "",
        "## Belasting",
        "",
        f"{load['users']} gelijktijdige gebruikers ({load['seconds']} seconden): bewoners bekijken hun "
        "initiatief, zetten voorwaarden op volgorde, bekijken hun schatting, tekenen en trekken soms in; "
        "buurtambassadeurs bekijken de deurlijst en flyers; coördinatoren de vergelijking, het overzicht en "
        "downloads. Eén server met gunicorn (2 werkprocessen), PostgreSQL en Redis. Doel: geen fouten en 95 % "
        "van de verzoeken binnen 800 ms.",
        "",
        "| pagina | verzoeken | fouten | 50 % binnen | 95 % binnen | 99 % binnen |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in load["pages"]:
        name = "alle verzoeken" if row["name"] == "Aggregated" else f"{row['method']} {row['name']}"
        lines.append(f"| {name} | {row['count']} | {row['failures']} | {row['p50']:.0f} ms | {row['p95']:.0f} ms "
                     f"| {row['p99']:.0f} ms |")
    lines += ["", "Controles na afloop:", ""]
    lines += [f"- {'✓' if check['passed'] else '✗'} {check['name']}" for check in load["checks"]]
    lines += [
        "",
        f"De bon-maker (het proces dat de ondertekende pdf's maakt) was {load['receipts_caught_up_s']:.1f} s na "
        "het einde van de belasting bij.",
        "",
        "## Veel ondertekenaars tegelijk",
        "",
        f"{signers['signers']} huishoudens in een straat van {signers['homes']} tekenen op hetzelfde moment. Dat "
        f"gebeurt {len(signers['bursts'])} keer, steeds in een andere straat. De middelste ronde telt: één ronde "
        "duurt maar een halve seconde, en deze machine deelt haar twee processors met anderen. Daarna verstuurt "
        f"één huishouden hetzelfde formulier {signers['same']} keer tegelijk.",
        "",
    ]
    lines += [f"- Ronde {number}: 95 % binnen {burst['p95_ms']:.0f} ms, langste {burst['max_ms']:.0f} ms; "
              f"{burst['errors']} fouten. Een vaste rekenlus duurde vlak ervoor {burst['reference_loop_ms']:.0f} ms."
              for number, burst in enumerate(signers["bursts"], start=1)]
    lines += [
        "",
        "De rekenlus laat zien hoe snel deze gedeelde machine op dat moment was: in een drukke periode duurt "
        "hij langer, en een ronde ook.",
        "",
    ]
    lines += [
        f"- Middelste ronde: 50 % binnen {signers['p50_ms']:.0f} ms, 95 % binnen {signers['p95_ms']:.0f} ms "
        f"(doel 800 ms), langste {signers['max_ms']:.0f} ms. Fouten in alle rondes samen: {signers['errors']}.",
        f"- Alle ondertekende pdf's waren uiterlijk {signers['receipts_after_s']:.1f} s na het laatste antwoord "
        "van een ronde gemaakt.",
        "",
    ]
    lines += [f"- {'✓' if check['passed'] else '✗'} {check['name']}" for check in signers["checks"]]
    shown: set[str] = set()
    for title, about, group in TEST_GROUPS:  # a module shows in the first group that names it
        modules = [path for path in sorted(tests) if path not in shown and any(
            path == g or path.startswith(g.rstrip("/") + "/") for g in group)]
        shown.update(modules)
        if not modules:
            continue
        cases = [case for path in modules for case in tests[path]]
        passed = sum(1 for case in cases if case["outcome"] == "geslaagd")
        lines += ["", f"## {title}", "", about, "", f"{passed} van {len(cases)} tests geslaagd "
                  f"({sum(1 for c in cases if c['outcome'] == 'MISLUKT')} mislukt, "
                  f"{sum(1 for c in cases if c['outcome'] == 'overgeslagen')} overgeslagen).", ""]
        for path in modules:
            outcomes = tests[path]
            ok = sum(1 for case in outcomes if case["outcome"] == "geslaagd")
            about = docstring(path)
            lines.append(f"- `{path}` ({ok}/{len(outcomes)})" + (f": {about}" if about else ""))
            lines += [f"  - {case['outcome'].upper()}: {case['name']}" for case in outcomes
                      if case["outcome"] != "geslaagd"]
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    arguments.add_argument("--quick", action="store_true", help="the short load profile (20 users, 20 s)")
    options = arguments.parse_args()
    where, load_at_start = machine(), load_average()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tests = run_tests(folder)
        load = measure_load(folder, options.quick)
        signers = measure_signers(folder)
    OUTPUT.parent.mkdir(exist_ok=True)
    where += f"; belasting van de machine (1-minuutgemiddelde) bij de start {load_at_start:.1f}, aan het eind " \
             f"{load_average():.1f}"
    OUTPUT.write_text(write(load, signers, tests, where), encoding="utf-8")
    print(f"written: {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
