"""The domain core stays framework-free: standard library and portal.domain only."""

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parent.parent / "portal" / "domain"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_domain_imports_only_the_standard_library_and_itself():
    offenders = []
    for path in DOMAIN.rglob("*.py"):
        for name in imported_modules(path):
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or name == "portal.domain" or name.startswith("portal.domain."):
                continue
            offenders.append(f"{path.relative_to(DOMAIN)}: {name}")
    assert offenders == []


def test_importing_the_domain_does_not_import_flask():
    import subprocess

    code = (
        "import importlib, pkgutil, sys, portal.domain\n"
        "for m in pkgutil.walk_packages(portal.domain.__path__, 'portal.domain.'):\n"
        "    importlib.import_module(m.name)\n"
        "print('flask' in sys.modules or 'sqlalchemy' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
