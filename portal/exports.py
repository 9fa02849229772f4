"""Downloads people open in Excel: CSV with ";", a UTF-8 BOM and formulas neutralised (portal.domain.csvsafe)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask import Response

from portal.domain import csvsafe
from portal.downloads import attachment


def csv_response(header: Sequence[object], rows: Iterable[Sequence[object]], filename: str) -> Response:
    """``filename`` comes from :func:`portal.downloads.file_name`."""
    return attachment(csvsafe.rows_to_csv(header, rows), filename, "text/csv")  # charset=utf-8 is added
