"""A street with members, commitment texts and a resident who can sign."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from portal.commitments.texts import ensure_default_texts
from portal.extensions import db
from portal.households import service as households
from portal.models import Household, Initiative, Membership, Relation, User


@pytest.fixture
def texts(app: Any) -> None:
    ensure_default_texts()
    db.session.commit()


@pytest.fixture
def street(make_initiative: Callable[..., Initiative], make_household: Callable[..., Household],
           texts: None) -> tuple[Initiative, list[Household]]:
    initiative = make_initiative()
    homes = [make_household(initiative) for _ in range(6)]
    return initiative, homes


@pytest.fixture
def member(make_user: Callable[..., User]) -> Callable[..., User]:
    def make(household: Household, relation: Relation = Relation.owner, **user: Any) -> User:
        person = make_user(**user)
        households.join(household, person, relation=relation, share_with_champion=False)
        db.session.commit()
        return person

    return make


@pytest.fixture
def resident(street: tuple[Initiative, list[Household]], member: Callable[..., User]) -> User:
    return member(street[1][0], name="Anna de Vries")


def active_members(household: Household) -> list[Membership]:
    return [m for m in household.memberships if m.ended_at is None]
