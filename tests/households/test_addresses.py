import io

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Household, Membership


def paste(client, text, **extra):
    data = {"addresses": text, "place": "Utrecht", "block": "1", "home_type": "terraced"} | extra
    return client.post("/i/lindelaan/households/paste", data=data, content_type="multipart/form-data")


def stored():
    return db.session.scalars(select(Household).order_by(Household.position)).all()


def test_pasting_twelve_addresses_gives_each_a_code_in_street_order(client, as_champion):
    response = paste(client, "Lindelaan 2-24 even")
    assert response.status_code == 302
    households = stored()
    assert [h.house_number for h in households] == list(range(2, 25, 2))
    assert [h.position for h in households] == list(range(1, 13))
    assert len({h.code for h in households}) == 12 and all(len(h.code) == 8 for h in households)


def test_a_range_of_every_number_and_mixed_separators(client, as_champion):
    paste(client, "Hofje 1-3\nLindelaan 12a, 1234ab Utrecht\nLindelaan 12-2;1234 AB;Utrecht\nLindelaan 14 bis")
    assert [(h.street, h.house_number, h.addition, h.postcode) for h in stored()] == [
        ("Hofje", 1, "", None), ("Hofje", 2, "", None), ("Hofje", 3, "", None),
        ("Lindelaan", 12, "A", "1234 AB"), ("Lindelaan", 12, "2", "1234 AB"), ("Lindelaan", 14, "BIS", None)]


def test_a_postcode_for_the_whole_list_is_normalised(client, as_champion):
    paste(client, "Lindelaan 2\nLindelaan 4", postcode="3521ab")
    assert {h.postcode for h in stored()} == {"3521 AB"}


@pytest.mark.parametrize(("text", "message"), [
    ("Lindelaan 2\nLindelaan 4\nLindelaan 2", "Regel 3: Lindelaan 2 staat al op regel 1."),
    ("Lindelaan 0", "Regel 1: Het huisnummer ontbreekt of klopt niet"),
    ("Lindelaan 2, 12345 Utrecht", "Regel 1:"),
    ("Lindelaan 24-2 even", "Regel 1: In een reeks moet het laatste nummer hoger zijn dan het eerste."),
])
def test_bad_lines_are_named_with_their_line_number_and_nothing_is_added(client, as_champion, text, message):
    response = paste(client, text)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored() == []


def test_five_thousand_lines_are_refused_with_a_clear_limit(client, as_champion):
    response = paste(client, "\n".join(f"Lindelaan {n}" for n in range(1, 5001)))
    assert response.status_code == 422
    assert "maximaal 500 adressen" in response.get_data(as_text=True)
    assert stored() == []


def test_an_address_already_in_the_initiative_is_refused(client, as_champion):
    paste(client, "Lindelaan 2")
    response = paste(client, "Lindelaan 4\nlindelaan 2")
    assert response.status_code == 422
    assert "Regel 2: Lindelaan 2 staat al in dit initiatief." in response.get_data(as_text=True)
    assert len(stored()) == 1


def test_a_non_utf8_file_is_read_as_windows_text(client, as_champion):
    data = "Kéizerstraat 1\nKéizerstraat 3\n".encode("cp1252")
    paste(client, "", file=(io.BytesIO(data), "straat.csv"))
    assert [h.street for h in stored()] == ["Kéizerstraat", "Kéizerstraat"]


def test_a_binary_file_is_refused(client, as_champion):
    response = paste(client, "", file=(io.BytesIO(b"\x00\x01PK\x03\x04"), "straat.xlsx"))
    assert response.status_code == 422
    assert "geen tekst- of CSV-bestand" in response.get_data(as_text=True)


def test_adding_one_address_with_addition_and_postcode(client, as_champion):
    response = client.post("/i/lindelaan/households/add", data={
        "street": "Lindelaan", "house_number": "12 bis", "postcode": "1234ab", "place": "Utrecht",
        "block": "2", "home_type": "corner", "energy_label": "B", "gas_m3": "1250"})
    assert response.status_code == 302
    (household,) = stored()
    assert (household.house_number, household.addition, household.postcode, household.gas_m3) == (
        12, "BIS", "1234 AB", 1250)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("postcode", "12345", "Vul een postcode in zoals 1234 AB."),
    ("house_number", "0", "Vul een huisnummer in zoals 12, 12a of 12-2."),
    ("gas_m3", "100000", "Vul een getal in tussen 100 en 20000."),
    ("gas_m3", "-5", "Vul een getal in tussen 100 en 20000."),
])
def test_one_address_with_bad_fields(client, as_champion, field, value, message):
    data = {"street": "Lindelaan", "house_number": "12", "place": "Utrecht", "home_type": "terraced",
            "energy_label": ""} | {field: value}
    response = client.post("/i/lindelaan/households/add", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored() == []


def test_reordering_renumbers_the_street(client, as_champion):
    paste(client, "Lindelaan 2\nLindelaan 4\nLindelaan 6")
    first, second, third = stored()
    client.post("/i/lindelaan/households/order", data={
        f"position_{first.id}": "3", f"position_{second.id}": "1", f"position_{third.id}": "2"})
    db.session.expire_all()
    assert [h.house_number for h in stored()] == [4, 6, 2]


def test_an_unused_address_is_removed_a_used_one_only_closed(client, as_champion, make_user):
    paste(client, "Lindelaan 2\nLindelaan 4")
    unused, used = stored()
    resident = make_user()
    db.session.add(Membership(household_id=used.id, initiative_id=used.initiative_id, user_id=resident.id))
    db.session.commit()
    client.post(f"/i/lindelaan/households/{unused.id}/remove")
    client.post(f"/i/lindelaan/households/{used.id}/remove")
    db.session.expire_all()
    (left,) = stored()
    assert left.id == used.id and left.status == "closed" and left.code is None


def test_regenerating_a_code_stops_the_old_one(client, as_champion):
    paste(client, "Lindelaan 2")
    (household,) = stored()
    old = household.code
    client.post(f"/i/lindelaan/households/{household.id}/code")
    db.session.refresh(household)
    assert household.code != old
    assert client.get(f"/c/{old}").status_code == 404
    assert client.get(f"/c/{household.code}").status_code == 200


def test_editing_a_household_of_another_initiative_is_404(client, as_champion, make_initiative, make_household):
    other = make_household(make_initiative())
    assert client.get(f"/i/lindelaan/households/{other.id}/edit").status_code == 404
    assert client.post(f"/i/lindelaan/households/{other.id}/remove").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Household)) == 1
