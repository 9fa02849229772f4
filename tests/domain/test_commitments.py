"""Pure commitment rules: levels per phase, text hashes, typed names, conditions, verification codes."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain import commitments as rules
from portal.domain.codes import ALPHABET


@pytest.mark.parametrize(("phase", "levels"), [
    ("preparation", ("interest", "intent")),
    ("development", ("interest", "intent", "agreement")),
    ("realisation", ("interest", "intent", "agreement")),
    ("closed", ()),
    ("unknown", ()),
])
def test_levels_per_phase(phase, levels):
    assert rules.allowed_levels(phase) == levels


def test_a_text_is_normalised_before_it_is_hashed():
    body = rules.normalise_text("Cafe\u0301  \r\nregel twee \r\n\r\n")
    assert body == "Café\nregel twee\n"
    assert rules.text_sha256(body) == hashlib.sha256("Café\nregel twee\n".encode()).hexdigest()


@given(st.text())
def test_normalising_twice_changes_nothing(body):
    once = rules.normalise_text(body)
    assert rules.normalise_text(once) == once


@pytest.mark.parametrize(("typed", "same"), [
    ("Anna de Vries", True), ("  anna   DE vries ", True), ("Anna de Vriës", True),
    ("Anna Vries", False), ("", False), ("   ", False), ("Anna de Vries-Jansen", False),
])
def test_the_typed_name_must_be_the_account_name(typed, same):
    assert rules.same_name(typed, "Anna de Vries") is same


@pytest.mark.parametrize(("typed", "code"), [("", "name_empty"), (" ", "name_empty"), ("Piet", "name_mismatch")])
def test_a_wrong_typed_name_names_the_field(typed, code):
    with pytest.raises(rules.CommitmentRuleError) as caught:
        rules.check_typed_name(typed, "Anna de Vries")
    assert (caught.value.code, caught.value.field) == (code, "typed_name")


@pytest.mark.parametrize(("min_n", "delta"), [
    (None, None), (2, None), (10, None), (None, Decimal("0")), (None, Decimal("-25.50")),
    (None, Decimal("1000.00")), (None, Decimal("-1000.00")),
])
def test_conditions_in_range_pass(min_n, delta):
    rules.check_conditions(min_n, delta, home_count=10)


@pytest.mark.parametrize(("min_n", "delta", "code"), [
    (1, None, "min_n_range"), (11, None, "min_n_range"), (0, None, "min_n_range"),
    (None, Decimal("1000.01"), "max_delta_range"), (None, Decimal("-5000"), "max_delta_range"),
])
def test_conditions_out_of_range_are_refused(min_n, delta, code):
    with pytest.raises(rules.CommitmentRuleError) as caught:
        rules.check_conditions(min_n, delta, home_count=10)
    assert caught.value.code == code


@given(st.text(alphabet=ALPHABET, min_size=12, max_size=12))
def test_a_formatted_code_reads_back(code):
    assert rules.normalise_verify_code(rules.format_verify_code(code).lower()) == code


@pytest.mark.parametrize("typed", ["", "ABC", "AAAA-BBBB-CCCC-D", "AAAA BBBB CCC!", "x" * 1000])
def test_what_cannot_be_a_code_is_none(typed):
    assert rules.normalise_verify_code(typed) is None


def test_look_alikes_are_read_as_the_code_alphabet():
    assert rules.normalise_verify_code("oil0-1111-2222") == "011011112222"
