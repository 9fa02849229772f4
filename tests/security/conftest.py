"""Security tests run with CSRF protection and rate limits ON (cookiecutter-flask turns them off)."""

from typing import Any

import pytest


@pytest.fixture
def config(config: dict[str, Any]) -> dict[str, Any]:
    return config | {"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True}


def csrf_token_from(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)
