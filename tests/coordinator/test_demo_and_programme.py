"""The demo's two municipalities never see each other; the programme view, its CSV and PDF."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Initiative, Municipality

DEMO_PASSWORD = "warmteburen-demo"


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["seed-demo"])
    assert "coordinator-amersfoort@demo.warmteburen.nl" in result.output


def _log_in(client, local_part):
    client.post("/account/login", data={"email": f"{local_part}@demo.warmteburen.nl", "password": DEMO_PASSWORD})


def test_the_second_municipalitys_coordinator_sees_only_its_own(client, demo):
    _log_in(client, "coordinator-amersfoort")
    html = client.get("/coordinator").get_data(as_text=True)
    assert "Vogelbuurt" in html and "Eikenhof" in html and "Beukenlaan" not in html
    assert "1 nieuw initiatief wacht op u" in html
    assert client.get("/i/beukenlaan/manage").status_code == 404
    assert client.get("/municipalities/utrecht/providers").status_code == 404


def test_the_first_coordinator_never_sees_the_second_municipality(client, demo):
    _log_in(client, "coordinator")
    html = client.get("/coordinator").get_data(as_text=True) + client.get("/coordinator/programme").get_data(
        as_text=True) + client.get("/coordinator/region").get_data(as_text=True)
    assert "Beukenlaan" in html and "Amersfoort" not in html and "Vogelbuurt" not in html
    amersfoort = db.session.scalars(select(Initiative).join(Municipality).where(Municipality.slug == "amersfoort"))
    for initiative in amersfoort:
        assert client.get(f"/i/{initiative.slug}/manage").status_code == 404
        assert client.get(f"/coordinator/initiatives/{initiative.slug}/review").status_code == 404


def test_the_programme_counts_the_funnel_and_the_pilots_against_the_target(client, demo):
    _log_in(client, "coordinator")
    html = client.get("/coordinator/programme").get_data(as_text=True)
    assert "1 van 6" in html and "40 van 150" in html  # one pilot (Beukenlaan, 40 homes) of the target
    assert "Groep 1" in html
    assert "Cluster of ringleiding?" in html and "<svg" in html
    assert "Wat bewoners belangrijk vinden" in html and "huishoudens hebben een volgorde gemaakt" in html


def test_the_programme_downloads(client, demo):
    _log_in(client, "coordinator")
    csv = client.get("/coordinator/programme.csv")
    assert csv.headers["Content-Disposition"].startswith("attachment")
    assert "Warm de Beukenlaan" in csv.get_data(as_text=True)
    pdf = client.get("/coordinator/programme.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    from portal.models import AuditEntry

    assert db.session.scalars(select(AuditEntry.details).where(AuditEntry.action == "programme.exported")).all() == [
        {"format": "csv", "municipality": "all"}, {"format": "pdf", "municipality": "all"}]


def test_the_target_is_configurable(app, client, demo):
    app.config["PROGRAMME_TARGET_HOMES"] = 120
    _log_in(client, "coordinator")
    assert "40 van 120" in client.get("/coordinator/programme").get_data(as_text=True)


def test_a_coordinator_puts_an_initiative_in_a_group(client, demo):
    _log_in(client, "coordinator")
    client.post("/i/lindelaan/stage", data={"programme_stage": "elaboration", "phase": "preparation",
                                            "programme_group": "Groep 2"})
    assert db.session.scalars(select(Initiative.programme_group).where(Initiative.slug == "lindelaan")).one() == (
        "Groep 2")
    assert "Groep 2" in client.get("/coordinator/programme").get_data(as_text=True)
