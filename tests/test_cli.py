from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Household, Initiative, Membership, Role, RoleGrant, User


def test_seed_demo_fills_an_empty_database_and_prints_log_ins(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "coordinator@demo.warmteburen.nl" in result.output
    assert "warmteburen-demo" in result.output
    assert db.session.scalar(select(func.count()).select_from(Initiative)) >= 1
    roles = set(db.session.scalars(select(RoleGrant.role)))
    assert {Role.admin, Role.coordinator, Role.champion} <= roles
    assert db.session.scalar(select(func.count()).select_from(Membership)) >= 3
    codes = list(db.session.scalars(select(Household.code)))
    assert all(codes) and len(set(codes)) == len(codes)


def test_seed_demo_leaves_a_database_with_accounts_alone(runner, make_user):
    make_user()
    result = runner.invoke(args=["seed-demo"])
    assert "not added" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_demo_accounts_can_log_in(runner, client):
    runner.invoke(args=["seed-demo"])
    response = client.post("/account/login", data={"email": "joost@demo.warmteburen.nl",
                                                   "password": "warmteburen-demo"})
    assert response.status_code == 302


def test_create_admin(runner):
    result = runner.invoke(args=["create-admin", "--email", "Beheer@Example.nl", "--name", "Beheerder"],
                           input="een-lange-beheerderszin\neen-lange-beheerderszin\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User)).one()
    assert user.email == "beheer@example.nl" and user.is_admin and user.confirmed_at


def test_create_admin_refuses_a_weak_password(runner):
    result = runner.invoke(args=["create-admin", "--email", "b@example.nl", "--name", "B"],
                           input="kort\nkort\n")
    assert result.exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
