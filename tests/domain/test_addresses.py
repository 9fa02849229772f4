"""Dutch addresses: postcodes, house numbers, lines, ranges, pasted lists, uploads."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.addresses import (
    AddressError,
    AddressLine,
    AddressListError,
    address_key,
    decode_upload,
    expand_range,
    format_address,
    normalise_postcode,
    parse_address_line,
    parse_address_list,
    parse_house_number,
)

# ------------------------------------------------------------------------------ postcode


@pytest.mark.parametrize("text", ["1234ab", "1234 AB", " 1234  ab ", "1234Ab", "1234\tAB", "1234\u00a0AB"])
def test_postcode_in_any_casing_and_spacing_is_normalised(text):
    assert normalise_postcode(text) == "1234 AB"


@pytest.mark.parametrize("text", [
    "", "1234", "AB", "123 AB", "12345 AB", "1234 A", "1234 ABC", "AB 1234", "0123 AB",
    "1234 SA", "1234 sd", "1234SS", "1234-AB", "１２３４ AB", "1234 ÄB", "12 34 AB",
])
def test_invalid_postcode_is_refused(text):
    with pytest.raises(AddressError) as info:
        normalise_postcode(text)
    assert info.value.code == "postcode_invalid"


@given(st.from_regex(r"\A\s{0,2}[1-9][0-9]{3}\s{0,2}[A-Za-z]{2}\s{0,2}\Z"))
def test_postcode_normalisation_is_idempotent(text):
    try:
        once = normalise_postcode(text)
    except AddressError:  # SA, SD, SS
        assert text.strip()[-2:].upper() in {"SA", "SD", "SS"}
        return
    assert normalise_postcode(once) == once
    assert len(once) == 7
    assert once[4] == " "


# -------------------------------------------------------------------------- house number


@pytest.mark.parametrize(("text", "expected"), [
    ("12", (12, "")),
    ("12a", (12, "A")),
    ("12 a", (12, "A")),
    ("12A", (12, "A")),
    ("12-2", (12, "2")),
    ("12 - 2", (12, "2")),
    ("12/3", (12, "3")),
    ("12 bis", (12, "BIS")),
    ("12-II", (12, "II")),
    ("12 hs", (12, "HS")),
    ("1", (1, "")),
    ("99999", (99999, "")),
    ("007", (7, "")),
    (" 12a ", (12, "A")),
])
def test_house_number_with_addition_is_split(text, expected):
    assert parse_house_number(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "a", "0", "00", "100000", "1" * 5000, "-12", "twaalf", "１２"])
def test_missing_zero_or_huge_house_number_is_refused(text):
    with pytest.raises(AddressError) as info:
        parse_house_number(text)
    assert info.value.code == "house_number_invalid"


@pytest.mark.parametrize("text", ["12abcde", "12-", "12 a b", "12-ä", "12--2", "12 a-1", "12 🙂"])
def test_bad_addition_is_refused(text):
    with pytest.raises(AddressError) as info:
        parse_house_number(text)
    assert info.value.code == "addition_invalid"


@pytest.mark.parametrize(("number", "addition", "expected"), [
    (12, "", "Lindelaan 12"),
    (12, "A", "Lindelaan 12a"),
    (12, "a", "Lindelaan 12a"),
    (12, "2", "Lindelaan 12-2"),
    (12, "II", "Lindelaan 12-II"),
    (12, "BIS", "Lindelaan 12-BIS"),
])
def test_format_address_attaches_a_letter_and_dashes_the_rest(number, addition, expected):
    assert format_address("Lindelaan", number, addition) == expected


@given(
    st.integers(min_value=1, max_value=99999),
    st.one_of(st.just(""), st.from_regex(r"\A[A-Za-z0-9]{1,4}\Z")),
)
def test_formatted_house_number_parses_back(number, addition):
    formatted = format_address("Lindelaan", number, addition)
    assert parse_house_number(formatted.removeprefix("Lindelaan ")) == (number, addition.upper())


def test_address_key_ignores_case_spacing_and_unicode_composition():
    assert address_key("Lindelaan", 12, "a") == address_key("  lindelaan ", 12, "A")
    assert address_key("Rue de l'Église", 1) == address_key("Rue de l'E\u0301glise", 1)
    assert address_key("Lindelaan", 12, "a") != address_key("Lindelaan", 12, "")


# ------------------------------------------------------------------------- address lines


@pytest.mark.parametrize(("line", "expected"), [
    ("Lindelaan 12a", AddressLine("Lindelaan", 12, "A")),
    ("Lindelaan 12a, 1234 AB Utrecht", AddressLine("Lindelaan", 12, "A", "1234 AB", "Utrecht")),
    ("Lindelaan 12a 1234AB Utrecht", AddressLine("Lindelaan", 12, "A", "1234 AB", "Utrecht")),
    ("Lindelaan 12 1234 AB", AddressLine("Lindelaan", 12, "", "1234 AB")),
    ("Lindelaan 12-2;1234ab;Utrecht", AddressLine("Lindelaan", 12, "2", "1234 AB", "Utrecht")),
    ("Lindelaan 12-2 ; 1234ab , Utrecht", AddressLine("Lindelaan", 12, "2", "1234 AB", "Utrecht")),
    ("Lindelaan\t12\ta\t1234 AB\tUtrecht", AddressLine("Lindelaan", 12, "A", "1234 AB", "Utrecht")),
    ("Lindelaan\t12\t\t1234AB\tUtrecht", AddressLine("Lindelaan", 12, "", "1234 AB", "Utrecht")),
    ("Lindelaan\t12\tbis\t1234AB\tUtrecht", AddressLine("Lindelaan", 12, "BIS", "1234 AB", "Utrecht")),
    ('"Lindelaan";"12";"a";"1234AB";"Utrecht"', AddressLine("Lindelaan", 12, "A", "1234 AB", "Utrecht")),
    ("Lindelaan 12, Utrecht", AddressLine("Lindelaan", 12, "", None, "Utrecht")),
    ("Lindelaan 12, Ede", AddressLine("Lindelaan", 12, "", None, "Ede")),  # a place, not addition EDE
    ("Lindelaan 12, A", AddressLine("Lindelaan", 12, "A")),
    ("Lindelaan 12 bis", AddressLine("Lindelaan", 12, "BIS")),
    ("Lindelaan 12-II, 3511 AA Utrecht", AddressLine("Lindelaan", 12, "II", "3511 AA", "Utrecht")),
    ("Lindelaan 1-9", AddressLine("Lindelaan", 1, "9")),  # one address: no ranges here
    ("Lindelaan 12 - 2", AddressLine("Lindelaan", 12, "2")),
    ("  Lindelaan   12  ", AddressLine("Lindelaan", 12)),
    ("2e Hugo de Grootstraat 12", AddressLine("2e Hugo de Grootstraat", 12)),
    ("18 Septemberplein 3", AddressLine("18 Septemberplein", 3)),
    ("Laan 1940-1945 12", AddressLine("Laan 1940-1945", 12)),
    ("Burg. de Withstraat 4, 's-Hertogenbosch",
     AddressLine("Burg. de Withstraat", 4, "", None, "'s-Hertogenbosch")),
    ("Rue d’Étoile 3, Den Haag", AddressLine("Rue d’Étoile", 3, "", None, "Den Haag")),
    ("Lindelaan 1234 AB", AddressLine("Lindelaan", 1234, "AB")),  # no number before it: not a postcode
])
def test_lenient_address_lines_are_parsed(line, expected):
    assert parse_address_line(line) == expected


STREETS = ["Lindelaan", "2e Hugo de Grootstraat", "Laan 1940-1945", "'s-Gravendijkwal", "Rue d’Étoile"]


@given(
    st.sampled_from(STREETS),
    st.integers(min_value=1, max_value=99999),
    st.one_of(st.just(""), st.from_regex(r"\A[A-Za-z0-9]{1,4}\Z")),
    st.one_of(st.none(), st.from_regex(r"\A[1-9][0-9]{3}[A-RT-Z][A-Z]\Z")),
    st.sampled_from([None, "Utrecht", "Den Haag", "'s-Hertogenbosch"]),
    st.sampled_from([", ", ";", "\t", " ; "]),
)
def test_formatted_address_line_parses_back(street, number, addition, postcode, place, separator):
    line = format_address(street, number, addition)
    if postcode:
        line += separator + postcode
    if place:
        line += separator + place
    expected_postcode = normalise_postcode(postcode) if postcode else None
    assert parse_address_line(line) == AddressLine(street, number, addition.upper(), expected_postcode, place)


@pytest.mark.parametrize(("line", "code"), [
    ("", "address_invalid"),
    (" ;, ", "address_invalid"),
    ("Lindelaan", "house_number_invalid"),
    ("Lindelaan, Utrecht", "house_number_invalid"),
    ("Lindelaan, 1234 AB Utrecht", "house_number_invalid"),
    ("12 Lindelaan", "address_invalid"),
    ("Lindelaan 0", "house_number_invalid"),
    ("Lindelaan 100000", "house_number_invalid"),
    ("Lindelaan 12abcde", "addition_invalid"),
    ("Lindelaan 12, 0123 AB", "postcode_invalid"),
    ("Lindelaan 12, 1234 SA Utrecht", "postcode_invalid"),
    ("Lindelaan 12 0123 AB Utrecht", "postcode_invalid"),
    ("Lindelaan 12, 12345", "postcode_invalid"),
    ("Lindelaan 12, 1234 AB, 1234 AC", "address_invalid"),
    ("Lindelaan 12, Utrecht, Zeist", "address_invalid"),
    ("Lindelaan 12, Utrecht3", "place_invalid"),
    ("Lindelaan 12, 🙂", "place_invalid"),
    ("Lindelaan 🙂 12", "street_invalid"),
    ("Linde\u202elaan 12", "street_invalid"),  # right-to-left override
    ("L" * 81 + " 12", "street_invalid"),
    ("Lindelaan " + "1" * 300, "too_long"),
    ("Hofje 1 t/m 9", "range_not_allowed"),
    ("Hofje 2-24 even", "range_not_allowed"),
    ("Hofje 1 - 9", "range_not_allowed"),
    ("Lindelaan 12 even", "range_invalid"),
])
def test_bad_address_line_gets_a_code(line, code):
    with pytest.raises(AddressError) as info:
        parse_address_line(line)
    assert info.value.code == code


def test_too_long_line_reports_the_limit():
    with pytest.raises(AddressError) as info:
        parse_address_line("x" * 10_000)
    assert info.value.params == {"limit": 200}


# -------------------------------------------------------------------------------- ranges


def _numbers(text):
    return [(a.house_number, a.addition) for a in expand_range(text)]


def test_even_range_gives_every_even_number():
    assert _numbers("Lindelaan 2-24 even") == [(n, "") for n in range(2, 25, 2)]


@pytest.mark.parametrize("text", ["Lindelaan 1-9 oneven", "Lindelaan 1-9 odd", "Lindelaan 1 t/m 9 ONEVEN"])
def test_odd_range_in_dutch_or_english(text):
    assert _numbers(text) == [(1, ""), (3, ""), (5, ""), (7, ""), (9, "")]


@pytest.mark.parametrize("text", [
    "Hofje 1-9 alle", "Hofje 1-9 all", "Hofje 1 - 9", "Hofje 1 t/m 9", "Hofje 1 tot en met 9",
])
def test_full_range_with_explicit_notation(text):
    assert _numbers(text) == [(n, "") for n in range(1, 10)]


def test_range_carries_street_postcode_and_place_to_every_address():
    addresses = expand_range("Hofje 1 t/m 3, 1234 ab Utrecht")
    assert addresses == [AddressLine("Hofje", n, "", "1234 AB", "Utrecht") for n in (1, 2, 3)]


def test_plain_address_expands_to_itself():
    assert expand_range("Lindelaan 12a") == [AddressLine("Lindelaan", 12, "A")]


def test_dash_with_smaller_second_number_is_an_addition_not_a_range():
    assert expand_range("Lindelaan 12-2") == [AddressLine("Lindelaan", 12, "2")]


def test_bare_dash_with_greater_second_number_is_a_range_of_every_number():
    assert [a.house_number for a in expand_range("Hofje 1-9")] == list(range(1, 10))


@pytest.mark.parametrize(("text", "code", "params"), [
    ("Hofje 9 t/m 1", "range_invalid", {}),
    ("Hofje 5 - 5", "range_invalid", {}),
    ("Lindelaan 24-2 even", "range_invalid", {}),
    ("Lindelaan 24-2 even, 1234 AB Utrecht", "range_invalid", {}),
    ("Lindelaan 2-24 oneven", "range_parity", {"parity": "odd"}),
    ("Lindelaan 2-9 even", "range_parity", {"parity": "even"}),
    ("Hofje 1-2000 alle", "range_too_large", {"limit": 500, "count": 2000}),
    ("Hofje 1 t/m 100000", "house_number_invalid", {}),
])
def test_reversed_mismatched_or_huge_range_is_refused(text, code, params):
    with pytest.raises(AddressError) as info:
        expand_range(text)
    assert (info.value.code, info.value.params) == (code, params)


def test_range_limit_is_configurable():
    assert len(expand_range("Hofje 1 t/m 10", max_count=10)) == 10
    with pytest.raises(AddressError, match="range_too_large"):
        expand_range("Hofje 1 t/m 11", max_count=10)


# -------------------------------------------------------------------------- pasted lists


def test_pasted_list_skips_blank_lines_and_expands_ranges():
    text = "Lindelaan 1\r\n\r\n  \r\nLindelaan 2-6 even\r\nHofje 3a, 1234 AB Utrecht\r\n"
    assert [a.format() for a in parse_address_list(text)] == [
        "Lindelaan 1", "Lindelaan 2", "Lindelaan 4", "Lindelaan 6", "Hofje 3a",
    ]


def test_spreadsheet_header_line_is_skipped():
    text = "Straat\tHuisnummer\tToevoeging\tPostcode\tPlaats\nLindelaan\t12\ta\t1234AB\tUtrecht\n"
    assert parse_address_list(text) == [AddressLine("Lindelaan", 12, "A", "1234 AB", "Utrecht")]


def test_empty_paste_gives_no_addresses():
    assert parse_address_list("\n \n") == []


def test_duplicate_in_paste_names_both_lines():
    text = "Lindelaan 12a\nLindelaan 14\n  lindelaan 12 A  \n"
    with pytest.raises(AddressListError) as info:
        parse_address_list(text)
    (error,) = info.value.errors
    assert error.code == "duplicate"
    assert error.params == {"line": 3, "first_line": 1, "address": "lindelaan 12a"}


def test_duplicate_inside_a_range_is_found():
    with pytest.raises(AddressListError) as info:
        parse_address_list("Lindelaan 8\nLindelaan 2-10 even")
    (error,) = info.value.errors
    assert (error.code, error.line, error.params["first_line"]) == ("duplicate", 2, 1)
    assert error.params["address"] == "Lindelaan 8"


def test_every_bad_line_is_reported_with_its_line_number():
    text = "Lindelaan 12\nLindelaan\n\nLindelaan 14, 0123 AB\nHofje 9 t/m 1\nLindelaan 12\n"
    with pytest.raises(AddressListError) as info:
        parse_address_list(text)
    assert [(e.line, e.code) for e in info.value.errors] == [
        (2, "house_number_invalid"),
        (4, "postcode_invalid"),
        (5, "range_invalid"),
        (6, "duplicate"),
    ]


def test_more_addresses_than_the_limit_after_expanding_ranges():
    with pytest.raises(AddressListError) as info:
        parse_address_list("Lindelaan 1 t/m 6\nHofje 1 t/m 5", max_lines=10)
    assert [(e.code, e.params) for e in info.value.errors] == [("too_many", {"limit": 10})]


def test_more_lines_than_the_limit_is_refused_before_parsing():
    text = "\n".join(f"Lindelaan {n}" for n in range(1, 600))
    with pytest.raises(AddressListError) as info:
        parse_address_list(text)
    assert [(e.code, e.params) for e in info.value.errors] == [("too_many", {"limit": 500})]


def test_exactly_the_limit_is_fine():
    assert len(parse_address_list("Hofje 1 t/m 10", max_lines=10)) == 10


# ------------------------------------------------------------------------------- uploads


@pytest.mark.parametrize("data", [
    "Hoogstraat 1, 's-Hertogenbosch\nCafé 2\n".encode(),
    "\ufeffHoogstraat 1, 's-Hertogenbosch\nCafé 2\n".encode(),
    "Hoogstraat 1, 's-Hertogenbosch\nCafé 2\n".encode("cp1252"),
    "Hoogstraat 1, 's-Hertogenbosch\nCafé 2\n".encode("utf-16"),
])
def test_upload_in_utf8_bom_excel_or_utf16_is_decoded(data):
    assert decode_upload(data) == "Hoogstraat 1, 's-Hertogenbosch\nCafé 2\n"


def test_cp1252_specific_characters_are_decoded():
    assert decode_upload("€ – ‘x’".encode("cp1252")) == "€ – ‘x’"


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    b"Lindelaan 1\x00",
    b"PK\x03\x04\x14\x00",
    b"Lindelaan\x07 1",
    b"\x81\x8d\x8f",  # not UTF-8 and undefined in Windows-1252
])
def test_binary_upload_is_refused(data):
    with pytest.raises(AddressError) as info:
        decode_upload(data)
    assert info.value.code == "not_text"


def test_decoded_upload_feeds_the_list_parser():
    data = "Straat;Huisnummer;Postcode;Plaats\r\nKerkstraat;3;1234AB;Utrecht\r\n".encode("cp1252")
    assert parse_address_list(decode_upload(data)) == [AddressLine("Kerkstraat", 3, "", "1234 AB", "Utrecht")]
