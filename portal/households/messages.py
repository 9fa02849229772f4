"""Dutch-first sentences for the address errors of portal.domain.addresses (which has codes only)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from portal.domain.addresses import AddressError


def address_error_message(error: AddressError) -> str:
    params = error.params
    messages = {
        "postcode_invalid": lambda: _("The postcode is not right. Write it like 1234 AB."),
        "house_number_invalid": lambda: _("The house number is missing or not right (it cannot be 0)."),
        "addition_invalid": lambda: _("The addition is too long. Use at most 4 letters or digits."),
        "street_invalid": lambda: _("The street name is not right."),
        "place_invalid": lambda: _("The place name is not right."),
        "address_invalid": lambda: _("We cannot read an address here. Write it like: Lindelaan 12a."),
        "too_long": lambda: ngettext("This line is too long (at most %(num)d character).",
                                     "This line is too long (at most %(num)d characters).",
                                     int(params.get("limit", 0))),
        "range_invalid": lambda: _("In a range the last number must be higher than the first."),
        "range_parity": lambda: (_("With 'even' both numbers must be even.") if params.get("parity") == "even"
                                 else _("With 'oneven' both numbers must be odd.")),
        "range_too_large": lambda: ngettext("This range has %(num)d addresses; at most %(limit)s is allowed.",
                                            "This range has %(num)d addresses; at most %(limit)s are allowed.",
                                            int(params.get("limit", 0)), num=params.get("count"),
                                            limit=params.get("limit")),
        "range_not_allowed": lambda: _("Enter one address here, not a range."),
        "range_ambiguous": lambda: _("Write the range as 'Hofje 1 t/m 9'."),
        "duplicate": lambda: _("%(address)s is already on line %(first)s.", address=params.get("address"),
                               first=params.get("first_line")),
        "duplicate_existing": lambda: _("%(address)s is already in this initiative.",
                                        address=params.get("address")),
        "too_many": lambda: ngettext("Add at most %(num)d address at once.", "Add at most %(num)d addresses at once.",
                                     int(params.get("limit", 0))),
        "not_text": lambda: _("This file is not a text or CSV file."),
    }
    text = messages.get(error.code, lambda: _("This address is not right."))()
    line = params.get("line")
    return _("Line %(line)s: %(message)s", line=line, message=text) if line else text
