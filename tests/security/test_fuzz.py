"""Fuzzing what residents and champions type or send (issue 15 part 3): whatever arrives, each parser answers
with a result or its one documented error, never anything else, and what it returns keeps its promises.

The domain tests (tests/domain) check these functions on well-formed input; here the input is anything:
any text, any bytes, JSON-like payloads of any shape, numbers that are NaN, infinite, negative or huge.
Hypothesis runs derandomized with a modest number of examples under the "ci" profile (tests/conftest.py), so
CI is deterministic; HYPOTHESIS_PROFILE=dev explores more, with fresh examples each run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from hypothesis import event, given, settings
from hypothesis import strategies as st

from portal.domain.addresses import (
    AddressError,
    AddressListError,
    decode_upload,
    format_address,
    normalise_postcode,
    parse_address_line,
    parse_address_list,
    parse_house_number,
)
from portal.domain.codes import ALPHABET, format_code, normalise_code
from portal.domain.feasibility import (
    OPTIONS,
    PARAMETER_INFO,
    Home,
    HomeError,
    ParameterError,
    Parameters,
    evaluate,
)
from portal.domain.ranking import MAX_MUST_HAVES, RankingError, validate_ranking
from portal.forms import parse_number

T = TypeVar("T")
E = TypeVar("E", bound=Exception)

POSTCODE = re.compile(r"[1-9][0-9]{3} [A-Z]{2}")

# Text as people and scripts send it: any unicode (RTL marks, zero-width joiners, emoji, NUL), and text
# made of the characters these parsers care about, so the interesting branches are reached too.
any_text = st.text(max_size=200)
address_like = st.text(alphabet="0123456789 abAB-–,;\t/\u00a0\u202e\u200bLindelaanStraat'sé", max_size=60)
texts = st.one_of(any_text, address_like)
# Near misses of well-formed input (odd spacing, casing, no-break and zero-width spaces), so valid values come
# through too and the properties on a result are exercised, not only the refusals.
postcodes = st.from_regex(r"\A[ \t\u00a0]{0,2}[0-9]{4}[ \u00a0\u200b-]{0,2}[A-Za-z]{2}[ ]{0,2}\Z")
house_numbers = st.from_regex(r"\A ?[0-9]{1,6} ?[-/ ]?[A-Za-z0-9]{0,5} ?\Z")
address_lines = st.from_regex(
    r"\A[A-Za-z'é ]{1,16} [0-9]{1,5}[a-zA-Z]?(-[0-9])?([,;\t] ?[0-9]{4} ?[A-Za-z]{2})?([,;\t] ?[A-Za-z ]{2,10})?\Z")

# A JSON payload's leaves: anything json.loads can give.
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20))
awkward_numbers = st.one_of(
    st.floats(),  # NaN, ±inf, negatives, huge
    st.integers(min_value=-10**30, max_value=10**30),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(alphabet="0123456789,.-e€% ", max_size=12),
    st.text(max_size=12),
    st.none(),
    st.booleans(),
)


@given(st.one_of(texts, postcodes))
def test_any_postcode_is_normalised_or_refused_and_normalising_twice_changes_nothing(text: str) -> None:
    try:
        postcode = normalise_postcode(text)
    except AddressError:
        event("refused")
        return
    assert POSTCODE.fullmatch(postcode)
    assert normalise_postcode(postcode) == postcode


@given(st.one_of(texts, house_numbers))
def test_any_house_number_is_parsed_or_refused_and_reads_back(text: str) -> None:
    try:
        number, addition = parse_house_number(text)
    except AddressError:
        event("refused")
        return
    assert number > 0
    assert parse_house_number(format_address("Lindelaan", number, addition).removeprefix("Lindelaan ")) == (
        number, addition)


@given(st.one_of(texts, address_lines))
def test_any_address_line_is_parsed_or_refused_with_an_address_error(text: str) -> None:
    try:
        line = parse_address_line(text)
    except AddressError:
        event("refused")
        return
    assert line.house_number > 0 and line.street.strip() == line.street and line.street
    if line.postcode is not None:
        assert POSTCODE.fullmatch(line.postcode)


@settings(max_examples=50)
@given(st.lists(st.one_of(texts, address_lines), max_size=20).map("\n".join))
def test_any_pasted_list_is_parsed_or_refused_line_by_line(text: str) -> None:
    lines, error = attempt(lambda: parse_address_list(text), AddressListError)
    if error is not None:
        assert error.errors and all(isinstance(e, AddressError) for e in error.errors)
        return
    assert len({line.key for line in lines}) == len(lines)  # a duplicate is an error, never kept twice


@given(st.one_of(st.binary(max_size=300), texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
                 texts.map(lambda t: t.encode("utf-16"))))
def test_any_uploaded_file_is_decoded_or_refused_as_not_text(data: bytes) -> None:
    text, error = attempt(lambda: decode_upload(data), AddressError)
    if error is not None:
        assert error.code == "not_text"
        return
    assert "\x00" not in text


@given(st.one_of(any_text, st.text(alphabet=ALPHABET + ALPHABET.lower() + " -.0O1lIuV", max_size=14),
                 st.text(alphabet=ALPHABET, min_size=8, max_size=8).map(lambda c: f" {c[:4].lower()}-{c[4:]} ")))
def test_any_typed_household_code_is_none_or_a_valid_code(text: str) -> None:
    code = normalise_code(text)
    if code is None:
        event("refused")
        return
    assert normalise_code(code) == code
    assert normalise_code(format_code(code)) == code
    assert set(code) <= set(ALPHABET)


KEYS = tuple(f"k{i:02d}" for i in range(8))
ranking_items = st.one_of(st.sampled_from(KEYS), json_leaf, st.lists(json_leaf, max_size=2),
                          st.dictionaries(st.text(max_size=3), json_leaf, max_size=2))


@given(st.one_of(st.permutations(KEYS), st.lists(ranking_items, max_size=12)),
       st.lists(ranking_items, max_size=5))
def test_any_ranking_payload_is_accepted_or_refused_with_a_ranking_error(order: list[Any],
                                                                         must_haves: list[Any]) -> None:
    result, error = attempt(lambda: validate_ranking(order, must_haves, KEYS), RankingError)
    if error is not None:
        assert error.code in ("duplicate", "unknown", "hidden", "missing", "too_many_must_haves",
                              "must_have_not_in_order")
        return
    ranked, flagged = result
    assert sorted(ranked) == sorted(KEYS)
    assert flagged <= set(ranked) and len(flagged) <= MAX_MUST_HAVES


def _within_bounds(key: str) -> st.SearchStrategy[Any]:
    info = PARAMETER_INFO[key]
    if info.choices:
        return st.sampled_from(info.choices)
    low, high = info.minimum if info.minimum is not None else 0.0, info.maximum if info.maximum is not None else 1e5
    return st.integers(math.ceil(low), math.floor(high)) if info.integer else st.floats(low, high)


parameter_items = st.sampled_from(sorted(PARAMETER_INFO)).flatmap(
    lambda key: st.tuples(st.just(key), st.one_of(_within_bounds(key), _within_bounds(key), awkward_numbers)))


@settings(max_examples=60)
@given(st.one_of(st.lists(parameter_items, max_size=3).map(dict),
                 st.dictionaries(st.text(max_size=8), awkward_numbers, max_size=2)))
def test_any_parameter_version_is_refused_or_gives_finite_monthly_figures(values: dict[str, Any]) -> None:
    params, error = attempt(lambda: Parameters.from_mapping(values), ParameterError)
    if error is not None:
        assert error.key in values and error.reason
        return
    _assert_finite_monthly_figures(params, [Home(id=1, position=1, block="a", gas_m3=1500.0),
                                            Home(id=2, position=2, block="a", gas_m3=900.0)])


@settings(max_examples=60)
@given(awkward_numbers, st.one_of(st.none(), awkward_numbers), st.booleans())
def test_any_household_input_is_refused_or_gives_finite_monthly_figures(gas: Any, indoor: Any,
                                                                        low_income: bool) -> None:
    home, error = attempt(lambda: Home(id=1, position=0, block=None, gas_m3=gas, low_income=low_income,
                                        indoor_cost=indoor), HomeError)
    if error is not None:
        assert error.field in ("gas_m3", "indoor_cost")
        return
    assert math.isfinite(home.gas_m3) and home.gas_m3 >= 0
    _assert_finite_monthly_figures(Parameters(), [home, Home(id=2, position=1, block=None, gas_m3=1200.0)])


@given(st.one_of(st.text(alphabet="0123456789,.-€% \u00a0e", max_size=20), any_text))
def test_any_typed_amount_is_a_finite_number_or_a_value_error(text: str) -> None:
    try:
        number = parse_number(text)
    except ValueError:
        event("refused")
        return
    assert isinstance(number, Decimal) and number.is_finite()


def attempt(call: Callable[[], T], documented: type[E]) -> tuple[T, None] | tuple[None, E]:
    """The result of ``call``, or the documented error it raised (any other error fails the test)."""
    try:
        return call(), None
    except documented as error:
        event("refused")  # --hypothesis-show-statistics shows how many examples were refused
        return None, error


def _assert_finite_monthly_figures(params: Parameters, homes: list[Home]) -> None:
    for option in OPTIONS:
        for home in evaluate(homes, params, option.variant, option.scenario).homes:
            figures = home.figures
            for value in (figures.monthly_delta_gas, figures.monthly_delta_air, figures.yearly, figures.share):
                assert value.is_finite(), (option, value)
