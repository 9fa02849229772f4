"""CSV exports that Dutch Excel opens correctly and that cannot run formulas (SECURITY.md).

Format (SPEC §6): ``;`` separator, CRLF line ends, UTF-8 with a byte order mark (so Excel
detects UTF-8), ISO dates, decimal comma (what Excel expects with the Dutch ``;`` list
separator). :func:`rows_to_csv` returns the text *including* the BOM (``"\\ufeff"``) as
its first character; the caller encodes it as UTF-8 and sends it unchanged.

Formula injection: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return (or their full-width forms ``＝ ＋ － ＠``, which some spreadsheet programs also
accept) gets a leading apostrophe, so the spreadsheet shows it as text (OWASP
"CSV injection"). Only *text* is neutralised: numbers are numbers, so ``-12`` as an int
or Decimal stays ``-12``, while the string ``"-12"`` becomes ``"'-12"``.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal

__all__ = ["BOM", "DANGEROUS_PREFIXES", "neutralise", "rows_to_csv"]

BOM = "\ufeff"
"""Byte order mark written first, so Excel reads the file as UTF-8."""

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""First characters that make a spreadsheet treat a cell as a formula."""


def neutralise(cell: object) -> str:
    """One cell as CSV text.

    * ``None`` → ``""``;
    * ``str`` → unchanged, or with a leading ``'`` if it starts with a dangerous prefix;
    * ``bool`` → ``"1"``/``"0"``; ``int`` → ``"12"``, ``"-12"`` (never neutralised);
    * ``Decimal``/``float`` → decimal comma, no thousands separator: ``Decimal("-45.50")``
      → ``"-45,50"`` (a Decimal keeps its exponent; quantise before exporting); NaN and
      infinities are written as text and neutralised like text;
    * ``datetime``/``date``/``time`` → ISO 8601 (``2026-11-25``, ``2026-11-25T09:30:00+00:00``);
    * anything else → ``str(cell)``, neutralised like text.
    """
    if cell is None:
        return ""
    if isinstance(cell, str):
        return _text(cell)
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, Decimal):
        return str(cell).replace(".", ",") if cell.is_finite() else _text(str(cell))
    if isinstance(cell, float):
        return repr(cell).replace(".", ",") if math.isfinite(cell) else _text(repr(cell))
    if isinstance(cell, datetime | date | time):
        return cell.isoformat()
    return _text(str(cell))


def rows_to_csv(header: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    """The whole CSV file as text: BOM, header line, one line per row, CRLF after each.

    Every cell (header too) goes through :func:`neutralise`; cells with ``;``, quotes or
    line breaks are quoted. Raises ``ValueError`` when a row's length differs from the
    header's.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quotechar='"', lineterminator="\r\n",
                        quoting=csv.QUOTE_MINIMAL)
    width = len(header)
    writer.writerow([neutralise(cell) for cell in header])
    for number, row in enumerate(rows, start=1):
        if len(row) != width:
            raise ValueError(f"row {number} has {len(row)} cells, the header {width}")
        writer.writerow([neutralise(cell) for cell in row])
    return BOM + buffer.getvalue()


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(DANGEROUS_PREFIXES) else value
