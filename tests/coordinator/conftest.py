from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from portal.models import Role, User


@pytest.fixture
def coordinator(make_user: Callable[..., User], make_municipality: Callable[..., Any], grant: Callable[..., Any],
                login: Callable[..., Any]) -> User:
    """A coordinator of "Gemeente Hier" (slug ``hier``), logged in."""
    user = make_user(name="Fatima Bakker", email="coordinator@example.nl")
    municipality = make_municipality(name="Gemeente Hier", slug="hier")
    grant(user, Role.coordinator, municipality_id=municipality.id)
    login(user)
    user.municipality = municipality  # type: ignore[attr-defined]  (handy in tests)
    return user
