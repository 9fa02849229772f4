"""Dutch addresses: postcodes, house numbers, pasted address lists and ranges (SPEC §5).

Everything here is lenient about what people type or paste from a spreadsheet and strict
about what comes out: one canonical form per address, so duplicates can be refused.

Errors are :class:`AddressError` with a machine-readable ``code`` and parameters; the web
layer turns them into Dutch sentences. Codes raised by this module:

=====================  ==============================================================
code                   parameters (besides ``line`` when raised from a pasted list)
=====================  ==============================================================
``postcode_invalid``   —
``house_number_invalid`` —  (missing, 0, above 99999, or not a number)
``addition_invalid``   —  (addition longer than 4 or not letters/digits)
``street_invalid``     —  (no letter, characters outside a street name, too long)
``place_invalid``      —
``address_invalid``    —  (no "street number" found, or too many fields)
``too_long``           ``limit`` (characters in one line)
``range_invalid``      —  (second number not greater than the first)
``range_parity``       ``parity`` (``"even"``/``"odd"``: an end does not have it)
``range_too_large``    ``limit``, ``count``
``range_not_allowed``  —  (a range given where one address is expected)
``duplicate``          ``line``, ``first_line``, ``address`` (formatted, e.g. "Lindelaan 12a")
``too_many``           ``limit`` (addresses after expanding ranges; no ``line``)
``not_text``           —  (uploaded bytes are binary, not text)
=====================  ==============================================================

A pasted list reports *every* failing line at once: :class:`AddressListError` carries the
individual :class:`AddressError` objects, each with the 1-based ``line`` number.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from portal.domain.errors import DomainError

__all__ = [
    "MAX_HOUSE_NUMBER",
    "MAX_LINE_LENGTH",
    "AddressError",
    "AddressLine",
    "AddressListError",
    "address_key",
    "decode_upload",
    "expand_range",
    "format_address",
    "normalise_postcode",
    "parse_address_line",
    "parse_address_list",
    "parse_house_number",
]

MAX_HOUSE_NUMBER = 99999
"""Highest house number the BAG (Dutch address register) issues."""

MAX_ADDITION_LENGTH = 4
"""A BAG addition (huisletter + huisnummertoevoeging) is at most 4 letters/digits."""

MAX_LINE_LENGTH = 200
"""Characters in one pasted line; longer lines are refused before any parsing."""

MAX_NAME_LENGTH = 80
"""Characters in a street or place name (the BAG limit for a street name is 80)."""

# Letter combinations PostNL does not issue (they recall the SA, SD and SS of 1940-45).
_UNISSUED_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})

_POSTCODE = re.compile(r"\s*([1-9][0-9]{3})\s*([A-Za-z]{2})\s*")
_HOUSE_NUMBER = re.compile(r"\s*([0-9]+)\s*([-/]?)\s*(.*?)\s*")
_ADDITION = re.compile(rf"[A-Za-z0-9]{{1,{MAX_ADDITION_LENGTH}}}")
# Separators between fields: comma, semicolon, tab (a spreadsheet paste), mixed freely.
_FIELD_SEPARATOR = re.compile(r"[,;\t]")
# A postcode written inside a field, e.g. "Lindelaan 12a 1234 AB Utrecht".
_INLINE_POSTCODE = re.compile(r"(?<=\s)[0-9]{4} ?[A-Za-z]{2}(?=\s|$)")
# A field that *tries* to be a postcode, optionally followed by the place.
_POSTCODE_FIELD = re.compile(r"([0-9]{4}\s*[A-Za-z]{2})(?:\s+(.+))?")
_LOOKS_LIKE_POSTCODE = re.compile(r"[0-9]{4}\s*[A-Za-z]{2}")
_SPLIT_BEFORE_NUMBER = re.compile(r"\s+(?=[0-9])")
_RANGE = re.compile(
    r"(?P<first>[0-9]{1,6})"
    r"(?P<sep>\s*-\s*|\s+t/m\s+|\s+tot en met\s+)"
    r"(?P<last>[0-9]{1,6})"
    r"(?:\s+(?P<parity>even|oneven|odd|alle|all))?",
    re.IGNORECASE,
)
_LONE_PARITY = re.compile(r"[0-9]+\s+(?:even|oneven|odd|alle|all)", re.IGNORECASE)
_PARITY_WORDS = {"even": "even", "oneven": "odd", "odd": "odd", "alle": "all", "all": "all"}
# Characters in street and place names besides letters, combining marks and digits:
# "Burg. de Withstraat", "'s-Gravendijkwal", "Laan 1940-1945", "Rue d’Étoile", "Kerkstraat (Oost)".
_NAME_PUNCTUATION = frozenset(" .'’‘-/()&")
_HEADER_WORDS = frozenset({"straat", "straatnaam", "adres", "huisnummer", "postcode", "woonplaats",
                           "plaats", "street", "address", "number", "place", "city"})
_WHITESPACE = re.compile(r"\s+")


class AddressError(DomainError):
    """A bad address input. ``code`` is machine-readable; ``params`` carry the details.

    ``line`` (1-based) is set when the error comes from a pasted list.
    """

    @property
    def line(self) -> int | None:
        """1-based line number in the pasted list, or None for a single input."""
        return self.params.get("line")



class AddressListError(ValueError):
    """A pasted list with one or more problems; ``errors`` has every one, in line order."""

    code = "list_invalid"

    def __init__(self, errors: list[AddressError] | tuple[AddressError, ...]) -> None:
        self.errors = tuple(sorted(errors, key=lambda e: (e.line or 0, e.code)))
        super().__init__(", ".join(repr(e) for e in self.errors))


@dataclass(frozen=True, slots=True)
class AddressLine:
    """One address as entered.

    ``house_number`` is 1..99999; ``addition`` is "" or 1–4 upper-case letters/digits
    ("A", "2", "II", "BIS"); ``postcode`` is canonical ("1234 AB") or None when the line
    had none; ``place`` is None when the line had none. ``street``/``place`` keep the
    capitalisation as typed, with runs of whitespace collapsed.
    """

    street: str
    house_number: int
    addition: str = ""
    postcode: str | None = None
    place: str | None = None

    @property
    def key(self) -> tuple[str, int, str]:
        """Duplicate-check key, see :func:`address_key`."""
        return address_key(self.street, self.house_number, self.addition)

    def format(self) -> str:
        """Street and number as people write it: "Lindelaan 12a", "Lindelaan 12-2"."""
        return format_address(self.street, self.house_number, self.addition)


# --------------------------------------------------------------------------- postcode


def normalise_postcode(text: str) -> str:
    """Canonical Dutch postcode "1234 AB" from "1234ab", "1234 AB", " 1234  ab ".

    Four digits not starting with 0, then two letters other than SA, SD, SS (never
    issued). Idempotent. Raises ``AddressError("postcode_invalid")``.
    """
    match = _POSTCODE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise AddressError("postcode_invalid")
    digits, letters = match.group(1), match.group(2).upper()
    if letters in _UNISSUED_POSTCODE_LETTERS:
        raise AddressError("postcode_invalid")
    return f"{digits} {letters}"


# ------------------------------------------------------------------------ house number


def parse_house_number(text: str) -> tuple[int, str]:
    """Split a house number into (number, addition).

    "12" → (12, ""); "12a", "12 a", "12A" → (12, "A"); "12-2" → (12, "2");
    "12 bis" → (12, "BIS"); "12-II" → (12, "II"); "12/3" → (12, "3").
    The addition is upper-cased and is 1–4 ASCII letters/digits, optionally separated
    from the number by a space, "-" or "/".
    Raises ``AddressError("house_number_invalid")`` when the number is missing, 0 or
    above 99999, and ``AddressError("addition_invalid")`` for a bad addition.
    """
    match = _HOUSE_NUMBER.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise AddressError("house_number_invalid")
    digits, separator, addition = match.groups()
    digits = digits.lstrip("0") or "0"
    if len(digits) > len(str(MAX_HOUSE_NUMBER)) or not 1 <= int(digits) <= MAX_HOUSE_NUMBER:
        raise AddressError("house_number_invalid")
    if (separator and not addition) or (addition and not _ADDITION.fullmatch(addition)):
        raise AddressError("addition_invalid")
    return int(digits), addition.upper()


def address_key(street: str, number: int, addition: str = "") -> tuple[str, int, str]:
    """Key for duplicate checks: street compared case- and spacing-insensitively.

    ("Lindelaan", 12, "a") and ("  lindelaan ", 12, "A") give the same key. Unicode is
    NFC-normalised first, so a composed and a decomposed "é" compare equal.
    """
    canonical_street = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", street)).strip().casefold()
    return canonical_street, number, addition.strip().upper()


def format_address(street: str, number: int, addition: str = "") -> str:
    """"Lindelaan 12a" for a one-letter addition (lower case, attached); any other
    addition with a dash: "Lindelaan 12-2", "Lindelaan 12-II", "Lindelaan 12-BIS".

    The result parses back to the same (number, addition) with :func:`parse_house_number`.
    """
    addition = addition.strip().upper()
    if not addition:
        suffix = ""
    elif len(addition) == 1 and addition.isalpha():
        suffix = addition.lower()
    else:
        suffix = f"-{addition}"
    return f"{_clean_name(street)} {number}{suffix}"


# ----------------------------------------------------------------------- address lines


def parse_address_line(line: str) -> AddressLine:
    """One address from a lenient line; ranges are refused (use :func:`expand_range`).

    A dash is always an addition here ("12-2", "12 - 2", "1-9": number 1, addition 9),
    except a spaced dash with a greater second number ("1 - 9"), which like "1 t/m 9"
    and a parity word ("2-24 even") raises ``range_not_allowed``.

    Accepted shapes (fields may be separated by ``,`` ``;`` or tab, mixed freely):

    * ``Lindelaan 12a``
    * ``Lindelaan 12a, 1234 AB Utrecht`` / ``Lindelaan 12a 1234AB Utrecht``
    * ``Lindelaan 12-2;1234ab;Utrecht``
    * spreadsheet columns ``Lindelaan<TAB>12<TAB>a<TAB>1234 AB<TAB>Utrecht``
      (street | number | optional addition | postcode | place; empty cells are skipped)

    Rules: the house number is the first number after the street that parses as a house
    number, so streets such as "2e Hugo de Grootstraat" or "Laan 1940-1945" work (known
    limit: a street name ending in a number, "Plein 1944 3", reads as street "Plein",
    number 1944, addition 3 — also in columns; enter such an address through separate
    street and house-number fields and :func:`parse_house_number`). After
    street and number, a field starting with a digit is the postcode (possibly followed
    by the place), any other field is the place. A separate addition column is accepted
    when it is 1–4 letters/digits and is followed by the postcode, contains a digit, or
    is a single letter (so "Lindelaan 12, Ede" is place Ede, not addition "EDE").
    Double quotes around a field (CSV) are removed.
    """
    street, numbers, postcode, place = _parse_line(line)
    (number, addition), = numbers
    return AddressLine(street, number, addition, postcode, place)


def expand_range(text: str, *, max_count: int = 500) -> list[AddressLine]:
    """All addresses of one line: a range gives many, a plain address gives one.

    A range is written ``<street> <first><sep><last> [parity]`` where ``<sep>`` is
    ``-``, `` - ``, `` t/m `` or `` tot en met `` and parity is ``even``, ``oneven``/``odd``
    or ``alle``/``all`` (case-insensitive). The rule that keeps "12-2" (number 12,
    addition 2) apart from a range:

    * a parity word, " t/m ", " tot en met " or a dash with spaces makes a range:
      "Lindelaan 2-24 even", "Hofje 1-9 alle", "Hofje 1 - 9", "Hofje 1 t/m 9";
    * a bare dash without parity word whose second number is not greater than the first
      is a house number with addition: "Hofje 12-2" → 12, addition "2";
    * a bare dash whose second number is greater ("Hofje 1-9") is a range of every number,
      as champions write it (the initiatives issue names "Hofje 1-9" as a range). Number 1
      with addition 9 can be written "1 9" or "1/9" in a list; :func:`parse_address_line`
      (one address, no ranges) reads "1-9" as number 1, addition 9.

    The last number must be greater than the first (``range_invalid``); with even/odd
    both ends must have that parity (``range_parity``, catches "2-24 oneven" typos); more
    than ``max_count`` addresses is ``range_too_large``. A postcode/place on the line
    applies to every address in the range. Numbers have no addition.
    """
    street, numbers, postcode, place = _parse_line(text, max_range=max_count)
    return [AddressLine(street, number, addition, postcode, place) for number, addition in numbers]


def parse_address_list(text: str, *, max_lines: int = 500) -> list[AddressLine]:
    """Addresses from a pasted list: one address or range per line.

    Blank lines are skipped; so is a first line that has no digit and contains a column
    header word ("straat", "huisnummer", "postcode", …), as pasted from a spreadsheet.
    Empty text gives ``[]``.

    Duplicates within the paste (same :func:`address_key`) are refused with
    ``duplicate(line, first_line, address)``; more than ``max_lines`` addresses after
    expanding ranges gives ``too_many(limit)`` (without ``line``; lines after the limit
    are not checked). Every problem is collected and
    raised together as :class:`AddressListError`; each error has its 1-based ``line``.
    """
    errors: list[AddressError] = []
    result: list[AddressLine] = []
    first_seen: dict[tuple[str, int, str], int] = {}
    numbered = [(n, raw) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    if numbered and _is_header(numbered[0][1]):
        numbered = numbered[1:]
    if len(numbered) > max_lines:
        raise AddressListError([AddressError("too_many", limit=max_lines)])
    total = 0
    for n, raw in numbered:
        try:
            addresses = expand_range(raw, max_count=max_lines)
        except AddressError as exc:
            exc.params["line"] = n
            errors.append(exc)
            continue
        total += len(addresses)
        if total > max_lines:
            errors.append(AddressError("too_many", limit=max_lines))
            break  # stop expanding; the remaining lines are not checked
        for address in addresses:
            key = address.key
            if key in first_seen:
                errors.append(AddressError("duplicate", line=n, first_line=first_seen[key],
                                           address=address.format()))
            else:
                first_seen[key] = n
                result.append(address)
    if errors:
        raise AddressListError(errors)
    return result


def decode_upload(data: bytes) -> str:
    """Text of an uploaded address file.

    UTF-8 with or without BOM; UTF-16 with a BOM (Excel's "Unicode text"); otherwise
    Windows-1252 (what Dutch Excel writes as "CSV"). Binary content (a NUL byte or other
    control characters besides tab, line breaks and form feed) raises
    ``AddressError("not_text")``. A leading BOM is removed; line breaks are left as is.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise AddressError("not_text") from None
    elif b"\x00" in data:
        raise AddressError("not_text")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise AddressError("not_text") from None
    if any(ord(ch) < 32 and ch not in "\t\n\r\f\v" for ch in text):
        raise AddressError("not_text")
    return text


# ------------------------------------------------------------------------------ helpers


def _clean_name(text: str) -> str:
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _valid_name(text: str) -> bool:
    """Letters (any script), combining marks, digits and a little punctuation; ≥ 1 letter."""
    if not text or len(text) > MAX_NAME_LENGTH:
        return False
    has_letter = False
    for ch in text:
        category = unicodedata.category(ch)
        if category[0] == "L":
            has_letter = True
        elif category[0] not in "MN" and ch not in _NAME_PUNCTUATION:
            return False
    return has_letter


def _is_header(line: str) -> bool:
    if any(ch.isdigit() for ch in line):
        return False
    words = {w.strip('"').casefold() for w in re.split(r"[\s,;\t]+", line)}
    return bool(words & _HEADER_WORDS)


def _split_fields(line: str) -> list[str]:
    fields = []
    for raw in _FIELD_SEPARATOR.split(line):
        field = raw.strip()
        if len(field) >= 2 and field[0] == field[-1] == '"':
            field = field[1:-1].strip()
        if field:
            fields.append(field)
    return fields


Numbers = list[tuple[int, str]]


def _range_numbers(text: str, max_range: int | None) -> Numbers | None:
    """House numbers of a range-shaped number part, or None when ``text`` is no range.

    Range-shaped input is decided here: errors are final, so "Hofje 9 t/m 1" is reported
    as ``range_invalid`` and never read as street "Hofje 9 t/m", number 1.
    """
    lone_parity = _LONE_PARITY.fullmatch(text)
    if lone_parity is not None:
        raise AddressError("range_invalid")
    match = _RANGE.fullmatch(text)
    if match is None:
        return None
    separator, parity_word = match.group("sep"), match.group("parity")
    first, last = int(match.group("first")), int(match.group("last"))
    is_dash = separator.strip() == "-"
    if max_range is None:  # one address: "12-2" and "12 - 2" are additions, "1 t/m 9" is refused
        if parity_word is None and (separator == "-" or (is_dash and last <= first)):
            return None
        raise AddressError("range_not_allowed")
    if parity_word is None and separator == "-" and last <= first:
        return None  # "12-2": number 12, addition 2
    parity = _PARITY_WORDS[parity_word.lower()] if parity_word else "all"
    if not (1 <= first <= MAX_HOUSE_NUMBER and 1 <= last <= MAX_HOUSE_NUMBER):
        raise AddressError("house_number_invalid")
    if last <= first:
        raise AddressError("range_invalid")
    step = 1
    if parity != "all":
        wanted = 0 if parity == "even" else 1
        if first % 2 != wanted or last % 2 != wanted:
            raise AddressError("range_parity", parity=parity)
        step = 2
    count = (last - first) // step + 1
    if count > max_range:
        raise AddressError("range_too_large", limit=max_range, count=count)
    return [(n, "") for n in range(first, last + 1, step)]


def _parse_head(text: str, max_range: int | None) -> tuple[str, Numbers] | None:
    """Street and house number(s) from "street number": the first split that parses.

    Returns None when there is no candidate split (no "letters … digit"); raises the
    error of the last candidate when every candidate number part is invalid
    (e.g. "Lindelaan 12abcde"), or at once for a range-shaped number part.
    """
    last_error: AddressError | None = None
    for split in _SPLIT_BEFORE_NUMBER.finditer(text):
        street = text[: split.start()]
        if not any(ch.isalpha() for ch in street):
            continue
        number_text = text[split.end():]
        numbers = _range_numbers(number_text, max_range)
        if numbers is None:
            try:
                numbers = [parse_house_number(number_text)]
            except AddressError as exc:
                last_error = exc
                continue
        street = _clean_name(street)
        if not _valid_name(street):
            raise AddressError("street_invalid")
        return street, numbers
    if last_error is not None:
        raise last_error
    return None


def _parse_line(line: str, max_range: int | None = None) -> tuple[str, Numbers, str | None, str | None]:
    """Shared parser of :func:`parse_address_line` (``max_range=None``: no ranges) and
    :func:`expand_range`. Returns (street, numbers, postcode, place)."""
    if not isinstance(line, str):
        raise AddressError("address_invalid")
    if len(line) > MAX_LINE_LENGTH:
        raise AddressError("too_long", limit=MAX_LINE_LENGTH)
    fields = _split_fields(line.replace("\u00a0", " "))
    if not fields:
        raise AddressError("address_invalid")

    # A postcode inside the first field: split it off when what precedes is "street number".
    for match in _INLINE_POSTCODE.finditer(fields[0]):
        prefix = fields[0][: match.start()].strip()
        try:
            head_ok = _parse_head(prefix, max_range) is not None
        except AddressError:
            head_ok = True  # "street number" shaped but invalid: report that error below
        if head_ok:
            fields[0:1] = [prefix, fields[0][match.start():].strip()]
            break

    head = _parse_head(fields[0], max_range)
    rest = fields[1:]
    if head is None:
        # Column layout: the street alone, the number(s) in the next field.
        if rest and _valid_name(_clean_name(fields[0])) and not _LOOKS_LIKE_POSTCODE.match(rest[0]):
            head = _parse_head(f"{fields[0]} {rest[0]}", max_range)
            rest = rest[1:]
        if head is None:
            if not any(ch.isdigit() for ch in fields[0]):
                raise AddressError("house_number_invalid")  # no number after the street
            raise AddressError("address_invalid")
    street, numbers = head

    # A separate addition column: before the postcode, or clearly not a place name.
    if len(numbers) == 1 and not numbers[0][1] and rest and _ADDITION.fullmatch(rest[0]) and (
        (len(rest) > 1 and rest[1][0].isdigit()) or len(rest[0]) == 1 or any(ch.isdigit() for ch in rest[0])
    ):
        numbers = [(numbers[0][0], rest[0].upper())]
        rest = rest[1:]

    postcode: str | None = None
    place: str | None = None
    for field in rest:
        if field[0].isdigit():
            postcode_match = _POSTCODE_FIELD.fullmatch(field)
            if postcode is not None or postcode_match is None:
                raise AddressError("postcode_invalid" if postcode is None else "address_invalid")
            postcode = normalise_postcode(postcode_match.group(1))
            if postcode_match.group(2) is not None:
                if place is not None:
                    raise AddressError("address_invalid")
                place = _place(postcode_match.group(2))
        elif place is None:
            place = _place(field)
        else:
            raise AddressError("address_invalid")
    return street, numbers, postcode, place


def _place(text: str) -> str:
    place = _clean_name(text)
    if not _valid_name(place) or any(ch.isdigit() for ch in place):
        raise AddressError("place_invalid")
    return place
