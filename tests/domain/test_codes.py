"""Household codes: alphabet, strength, normalising what residents type, digests."""

import hashlib
import hmac
import itertools
import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.codes import (
    ALPHABET,
    CODE_BITS,
    CODE_LENGTH,
    code_digest,
    code_hint,
    format_code,
    new_code,
    normalise_code,
)

KEY = b"k" * 32
codes = st.text(alphabet=ALPHABET, min_size=CODE_LENGTH, max_size=CODE_LENGTH)


def test_a_random_code_has_at_least_40_bits():
    assert CODE_LENGTH == 8
    assert CODE_BITS >= 40
    assert len(ALPHABET) ** CODE_LENGTH >= 2**40
    assert math.isclose(CODE_BITS, 40.0)


def test_alphabet_has_no_repeats_and_no_look_alike_letters():
    assert len(set(ALPHABET)) == len(ALPHABET) == 32
    assert not set("OILU") & set(ALPHABET)
    assert ALPHABET.upper() == ALPHABET
    assert ALPHABET.isascii()
    assert ALPHABET.isalnum()


def test_new_code_uses_the_random_source_for_every_character():
    draws = itertools.cycle([20, 7, 22, 21, 26, 30, 13, 3])
    assert new_code(lambda n: next(draws)) == "M7PNTYD3"


def test_new_code_is_reproducible_with_a_seeded_source():
    first = new_code(random.Random(1).randrange)
    assert first == new_code(random.Random(1).randrange)
    assert normalise_code(first) == first


def test_new_code_only_asks_for_indices_below_the_alphabet_size():
    asked = []

    def randbelow(n):
        asked.append(n)
        return n - 1

    assert new_code(randbelow) == "Z" * 8
    assert asked == [32] * 8


@pytest.mark.parametrize("bad", [-1, 32, 1000])
def test_new_code_refuses_an_out_of_range_random_source(bad):
    with pytest.raises(ValueError, match="randbelow"):
        new_code(lambda n: bad)


def test_format_code_groups_four_and_four():
    assert format_code("K7PMQXD3") == "K7PM-QXD3"
    assert format_code("k7pm qxd3") == "K7PM-QXD3"


@pytest.mark.parametrize("typed", [
    "K7PM-QXD3", "k7pm-qxd3", "K7PMQXD3", " K7PM QXD3 ", "K7PM.QXD3", "K7 PM-QX D3", "K7PM_QXD3",
    "K7PM–QXD3", "K7PM—QXD3", "K7PM\u00a0QXD3", "Ｋ７ＰＭ－ＱＸＤ３",
])
def test_normalise_is_tolerant_of_case_spaces_dashes_and_dots(typed):
    assert normalise_code(typed) == "K7PMQXD3"


@pytest.mark.parametrize(("typed", "expected"), [
    ("O0OO-1111", "00001111"),   # letter O is zero
    ("IILL-iill", "11111111"),   # I and L are one
    ("uUvV-3333", "VVVV3333"),   # U is V
])
def test_look_alike_letters_are_read_as_their_twin(typed, expected):
    assert normalise_code(typed) == expected


@pytest.mark.parametrize("typed", [
    "", "K7PM-QXD", "K7PM-QXD33", "K7PM-QX!3", "K7PM-QXÉ3", "K7PM-QXß3", "K7PM/QXD3", "🙂" * 8,
    "K" * 10_000, None, 12345678,
])
def test_wrong_length_or_characters_give_none(typed):
    assert normalise_code(typed) is None


@given(codes)
def test_normalise_round_trips_formatted_and_lowercase_codes(code):
    assert normalise_code(code) == code
    assert normalise_code(format_code(code)) == code
    assert normalise_code(format_code(code).lower()) == code


@given(codes)
def test_printed_look_alikes_never_change_the_code(code):
    misread = code.replace("0", "O").replace("1", "l").replace("V", "u")
    assert normalise_code(misread) == code


def test_digest_is_hmac_sha256_of_the_canonical_code():
    expected = hmac.new(KEY, b"K7PMQXD3", hashlib.sha256).hexdigest()
    assert code_digest("K7PMQXD3", KEY) == expected
    assert code_digest("k7pm-qxd3", KEY) == expected
    assert len(expected) == 64


def test_digest_depends_on_the_key():
    assert code_digest("K7PMQXD3", KEY) != code_digest("K7PMQXD3", b"x" * 32)


@pytest.mark.parametrize("key", [b"", b"short", "k" * 32])
def test_digest_refuses_a_weak_or_text_key(key):
    with pytest.raises(ValueError, match="key"):
        code_digest("K7PMQXD3", key)


@pytest.mark.parametrize("call", [format_code, code_hint, lambda c: code_digest(c, KEY)])
def test_functions_on_valid_codes_refuse_garbage(call):
    with pytest.raises(ValueError, match="not a household code"):
        call("NOT-A-CODE!")


def test_hint_is_the_last_two_characters():
    assert code_hint("K7PM-QXD3") == "D3"
