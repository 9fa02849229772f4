"""Role changes: audited, and the person concerned gets an e-mail."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Role, RoleGrant
from tests.conftest import PASSWORD, link_in


def test_an_admin_appoints_and_removes_a_coordinator(client, make_user, make_municipality, grant, login, outbox):
    admin = make_user(name="Anna de Boer")
    grant(admin, Role.admin)
    person = make_user(name="Fatima Bakker", email="fatima@example.nl")
    municipality = make_municipality(name="Gemeente Hier")
    login(admin)
    response = client.post("/admin/coordinators", data={"email": "Fatima@Example.nl",
                                                         "municipality_id": municipality.id})
    assert response.status_code == 302
    role_grant = db.session.scalars(select(RoleGrant).where(RoleGrant.role == Role.coordinator)).one()
    assert (role_grant.user_id, role_grant.municipality_id, role_grant.granted_by_id) == (
        person.id, municipality.id, admin.id)
    assert "U bent nu coördinator van Gemeente Hier" in outbox()[-1].subject
    client.post(f"/admin/coordinators/{role_grant.id}/remove")
    assert db.session.scalars(select(RoleGrant).where(RoleGrant.role == Role.coordinator)).all() == []
    assert "U bent geen coördinator meer van Gemeente Hier" in outbox()[-1].subject
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["role.granted", "role.revoked"]


def test_an_address_without_account_gets_an_invitation_that_becomes_the_role(client, make_user,
                                                                              make_municipality, grant, login,
                                                                              outbox):
    admin = make_user()
    grant(admin, Role.admin)
    municipality = make_municipality(name="Gemeente Hier")
    login(admin)
    response = client.post("/admin/coordinators", data={"email": "Nieuw@Example.nl",
                                                         "municipality_id": municipality.id})
    assert response.status_code == 302
    invitation = outbox()[-1]
    assert invitation.to_address == "nieuw@example.nl" and "Gemeente Hier" in invitation.subject
    client.post("/admin/coordinators", data={"email": "nieuw@example.nl", "municipality_id": municipality.id})
    assert len(outbox()) == 1  # invited once
    client.post("/account/logout")
    client.post("/account/register", data={"name": "Nina Nieuw", "email": "nieuw@example.nl",
                                            "password": PASSWORD})
    assert db.session.scalars(select(RoleGrant).where(RoleGrant.role == Role.coordinator)).all() == []
    client.post(link_in(outbox()[-1]))  # confirms the address
    role_grant = db.session.scalars(select(RoleGrant).where(RoleGrant.role == Role.coordinator)).one()
    assert (role_grant.municipality_id, role_grant.granted_by_id) == (municipality.id, admin.id)
    assert "role.invited" in db.session.scalars(select(AuditEntry.action)).all()


def test_a_coordinator_cannot_open_the_admins_page(client, coordinator):
    assert client.get("/admin/coordinators").status_code == 404


ADMIN_PAGES = ("/admin/coordinators", "/admin/conditions", "/admin/commitment-texts")


def test_an_admin_finds_every_admin_page_in_the_coordinator_menu(client, make_user, grant, login):
    admin = make_user()
    grant(admin, Role.admin)
    login(admin)
    page = client.get("/coordinator").get_data(as_text=True)
    assert all(f'href="{path}"' in page for path in ADMIN_PAGES)
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200


def test_a_coordinator_is_not_shown_the_admin_pages(client, coordinator):
    page = client.get("/coordinator").get_data(as_text=True)
    assert not any(f'href="{path}"' in page for path in ADMIN_PAGES)


def test_a_coordinator_appoints_and_removes_a_champion(client, coordinator, make_initiative, make_user, outbox):
    initiative = make_initiative(municipality_id=coordinator.municipality.id, name="Lindelaan")
    champion = make_user(name="Joost de Vries", email="joost@example.nl")
    client.post(f"/i/{initiative.slug}/champions", data={"email": "joost@example.nl"})
    role_grant = db.session.scalars(select(RoleGrant).where(RoleGrant.role == Role.champion)).one()
    assert role_grant.user_id == champion.id
    assert outbox()[-1].to_address == "joost@example.nl"
    assert "Joost de Vries" in client.get(f"/i/{initiative.slug}/manage").get_data(as_text=True)
    client.post(f"/i/{initiative.slug}/champions/{role_grant.id}/remove")
    assert db.session.scalars(select(RoleGrant).where(RoleGrant.role == Role.champion)).all() == []
    assert "geen buurtambassadeur meer" in outbox()[-1].subject
    assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("role.%"))).all() == [
        "role.granted", "role.revoked"]


def test_a_champion_of_another_initiative_cannot_be_removed_through_this_one(client, coordinator, make_initiative,
                                                                             make_user, grant):
    here = make_initiative(municipality_id=coordinator.municipality.id)
    elsewhere = make_initiative()
    other_grant = grant(make_user(), Role.champion, initiative_id=elsewhere.id)
    assert client.post(f"/i/{here.slug}/champions/{other_grant.id}/remove").status_code == 404
    assert db.session.get(RoleGrant, other_grant.id) is not None
