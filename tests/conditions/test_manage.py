from sqlalchemy import select

from portal.extensions import db
from portal.models import Condition, InitiativeCondition, Role
from tests.conditions.conftest import KEYS


def test_hiding_conditions_keeps_at_least_ten(client, champion, login):
    login(champion)
    response = client.post("/i/lindelaan/conditions/manage", data={f"show_{key}": "y" for key in KEYS[:9]})
    assert response.status_code == 422
    assert "Laat minimaal 10 voorwaarden zien." in response.get_data(as_text=True)
    response = client.post("/i/lindelaan/conditions/manage", data={f"show_{key}": "y" for key in KEYS[:10]})
    assert response.status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(InitiativeCondition).where(
        InitiativeCondition.is_hidden.is_(True))) == 8


def test_a_custom_condition_is_added_for_this_initiative_only(client, champion, login, make_initiative, initiative):
    login(champion)
    client.post("/i/lindelaan/conditions/custom", data={"label_nl": "Parkeerplekken blijven",
                                                        "explanation_nl": "Er verdwijnt geen parkeerplek."})
    condition = db.session.scalars(select(Condition).where(Condition.is_custom.is_(True))).one()
    assert condition.initiative_id == initiative.id and condition.label_en == "Parkeerplekken blijven"
    from portal.conditions.service import shown_conditions

    assert "Parkeerplekken blijven" in [c.label_nl for c in shown_conditions(initiative)]
    assert "Parkeerplekken blijven" not in [c.label_nl for c in shown_conditions(make_initiative())]


def test_residents_cannot_manage_conditions(client, make_user, login, initiative):
    login(make_user())
    assert client.get("/i/lindelaan/conditions/manage").status_code == 404
    assert client.post("/i/lindelaan/conditions/custom", data={"label_nl": "x"}).status_code == 404


def test_admin_edits_the_catalogue_texts(client, make_user, grant, login, catalogue):
    admin = make_user()
    grant(admin, Role.admin)
    login(admin)
    condition = db.session.scalars(select(Condition).where(Condition.key == "cooling")).one()
    client.post(f"/admin/conditions/{condition.id}", data={
        "label_nl": "Mogelijkheid tot koeling", "label_en": "Cooling possible",
        "explanation_nl": "In de zomer kan het huis koeler worden.", "explanation_en": "Cooler in summer."})
    db.session.refresh(condition)
    assert condition.explanation_nl == "In de zomer kan het huis koeler worden."
    client.post("/admin/conditions/new", data={"label_nl": "Mooie straat", "label_en": ""})
    assert db.session.scalars(select(Condition).where(Condition.label_nl == "Mooie straat")).one().key.startswith("c_")


def test_the_catalogue_is_for_admins_only(client, make_user, login, catalogue):
    login(make_user())
    assert client.get("/admin/conditions").status_code == 404
