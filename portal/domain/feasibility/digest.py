"""A digest of the exact inputs of a feasibility computation, so a result can be kept under it.

The model is a pure function of its inputs (parameters, homes, participating set, option, …), so two
calls with equal inputs give equal results. ``input_digest`` encodes the inputs canonically (type names
included, mappings and sets in sorted order, floats and Decimals exactly) and hashes the encoding:
any change of a parameter, a home's input, the participating set or the option gives another digest.
Values it cannot encode faithfully raise TypeError rather than risk two inputs sharing a digest.
"""

from __future__ import annotations

import dataclasses
import hashlib
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

__all__ = ["input_digest"]

_PLAIN = frozenset({type(None), bool, int, str, float})  # their repr is exact and tells the types apart
_FIELDS: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


def _fields_of(kind: type) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving a dataclass's field values as a tuple (in declaration order)."""
    getter = _FIELDS.get(kind)
    if getter is None:
        names = [field.name for field in dataclasses.fields(kind)]
        many = operator.attrgetter(*names)
        getter = _FIELDS[kind] = (lambda value: (many(value),)) if len(names) == 1 else many
    return getter


def _encode(value: Any, out: list[str]) -> None:
    kind = type(value)
    if kind in _PLAIN:
        out.append(repr(value))  # repr of a float is exact (round-trips), and True is not 1
    elif kind is tuple and all(type(item) in _PLAIN for item in value):
        # A row of plain values (the coordinator's pages key results by the columns they load): one
        # C-level repr. Parentheses, ", " and no trailing comma tell it apart from the general case below.
        out.append(repr(value))
    elif kind is Decimal:
        out.append(f"D{value}")  # keeps the exponent: 1.0 and 1.00 are encoded apart, never together
    elif isinstance(value, Enum):
        out.append(f"{kind.__qualname__}.{value.name}")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        values = _fields_of(kind)(value)
        if all(type(item) in _PLAIN for item in values):  # the common case (a Home): one C-level repr
            out.append(f"{kind.__qualname__}{values!r}")
        else:
            out.append(f"{kind.__qualname__}(")
            for item in values:
                _encode(item, out)
                out.append(",")
            out.append(")")
    elif isinstance(value, Mapping):
        items = []
        for key, item in value.items():
            encoded_key: list[str] = []
            _encode(key, encoded_key)
            encoded_item: list[str] = []
            _encode(item, encoded_item)
            items.append(("".join(encoded_key), "".join(encoded_item)))
        out.append("{" + ",".join(f"{k}:{v}" for k, v in sorted(items)) + "}")
    elif isinstance(value, set | frozenset):
        encoded = []
        for item in value:
            part: list[str] = []
            _encode(item, part)
            encoded.append("".join(part))
        out.append("<" + ",".join(sorted(encoded)) + ">")
    elif isinstance(value, tuple | list):
        out.append("[")
        for item in value:
            _encode(item, out)
            out.append(",")
        out.append("]")
    else:
        raise TypeError(f"cannot digest a {kind.__qualname__}: give the model's inputs, not derived objects")


def input_digest(*parts: Any) -> str:
    """Hex SHA-256 of the canonical encoding of ``parts`` (numbers, text, enums, Decimals, dataclasses,
    mappings, sets, lists and tuples of those)."""
    out: list[str] = []
    for part in parts:
        _encode(part, out)
        out.append(";")
    return hashlib.sha256("".join(out).encode()).hexdigest()
