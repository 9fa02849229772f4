"""Downloads people open in Excel: CSV with ";", a UTF-8 BOM and formulas neutralised (portal.domain.csvsafe)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask import Response

from portal.domain import csvsafe


def csv_response(header: Sequence[object], rows: Iterable[Sequence[object]], filename: str) -> Response:
    return Response(csvsafe.rows_to_csv(header, rows), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={filename}",
                             "Cache-Control": "private, no-store"})
