"""Printable flyers (one per household) and a street poster, rendered from plain values.

The service layer loads the initiative and its households and turns them into the frozen
dataclasses below; nothing here touches the database. Every function returns PDF bytes.

* :func:`flyers_pdf` — a batch for the champion to print: one flyer per A4 page, or two A5 flyers
  (landscape halves) per portrait A4 sheet, optionally with a cut line. Rendered in chunks of
  ``chunk_size`` households and merged, so WeasyPrint's memory stays flat for 100+ households.
* :func:`single_flyer_pdf` — one household's A4 flyer (e.g. a replacement after a move).
* :func:`poster_pdf` — an A4 poster for the street with the initiative's own URL and QR code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import segno
from babel.lists import format_list
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from portal.i18n import format_day
from portal.pdf import merge_pdfs, render_pdf

__all__ = ["FlyerHousehold", "FlyerInitiative", "flyers_pdf", "poster_pdf", "qr_svg", "single_flyer_pdf"]

Layout = Literal["a4", "a5"]
# Longest user texts printed (in characters; longer ones end in "…"). Forms should keep texts shorter
# anyway; these limits keep every flyer on its own page whatever is stored. The story is shown on A4
# flyers only.
LIMITS = {"name": 100, "champion_first_name": 40, "place": 80, "story_excerpt": 220, "streets": 80,
          "address": 100}


@dataclass(frozen=True, slots=True)
class FlyerInitiative:
    name: str
    champion_first_name: str
    place: str
    streets: tuple[str, ...]  # "Lindelaan", "Eikstraat": printed as "Lindelaan en Eikstraat"
    initiative_url: str  # https://…/i/<slug>
    story_excerpt: str = ""


@dataclass(frozen=True, slots=True)
class FlyerHousehold:
    address: str  # "Lindelaan 12, 1234 AB Ons Dorp"
    code_display: str  # "K7PM-QXD3"
    join_url: str  # "https://…/c/K7PMQXD3"


def qr_svg(url: str, *, title: str | None = None) -> Markup:
    """The QR code of ``url`` as inline ``<svg>`` (no XML declaration, no fixed size: it scales to
    its box), black modules on white, error correction M, with the standard 4-module quiet zone.

    ``title`` becomes the SVG's ``<title>``: the alternative text of the figure in the tagged PDF.
    """
    qr = segno.make(url, error="m", micro=False, boost_error=False)
    svg = qr.svg_inline(dark="#000", light="#fff", omitsize=True, border=4, title=title)
    return Markup(svg)  # noqa: S704  (our own markup: module paths and the title, which segno escapes)  # nosec B704


def flyers_pdf(initiative: FlyerInitiative, households: Sequence[FlyerHousehold], *, layout: Layout,
               cut_marks: bool, language: str, today: dt.date, chunk_size: int = 20) -> bytes:
    """One flyer per household: ``layout="a4"`` one per page, ``"a5"`` two per A4 sheet.

    A batch that fits in one chunk is a single tagged PDF/UA document; bigger batches are rendered
    per chunk (an even number of households for A5, so no sheet is half empty mid-batch) and merged.
    """
    if layout not in ("a4", "a5"):
        raise ValueError(f"layout must be 'a4' or 'a5', not {layout!r}")
    if not households:
        raise ValueError("a flyer batch needs at least one household")
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    if layout == "a5":
        chunk_size += chunk_size % 2
    with force_locale(language):
        title = _("Flyers for %(name)s", name=_shorten(initiative.name, LIMITS["name"]))
        common = _common(initiative, today)
        qr_title = _("QR code with the link to join")
        parts = [
            render_pdf("flyers.html", title=title, language=language, layout=layout, cut_marks=cut_marks,
                       households=[_household(h, qr_title) for h in chunk], **common)
            for chunk in _chunks(households, chunk_size)
        ]
    return parts[0] if len(parts) == 1 else merge_pdfs(parts)


def single_flyer_pdf(initiative: FlyerInitiative, household: FlyerHousehold, *, language: str,
                     today: dt.date) -> bytes:
    """The A4 flyer of one household."""
    return flyers_pdf(initiative, [household], layout="a4", cut_marks=False, language=language, today=today)


def poster_pdf(initiative: FlyerInitiative, *, language: str, today: dt.date) -> bytes:
    """An A4 poster for the street: the initiative's URL and QR code (no household code)."""
    with force_locale(language):
        title = _("Poster for %(name)s", name=_shorten(initiative.name, LIMITS["name"]))
        common = _common(initiative, today)
        qr = qr_svg(initiative.initiative_url, title=_("QR code with the link to this initiative"))
    return render_pdf("poster.html", title=title, language=language, initiative_qr=qr, **common)


def _common(initiative: FlyerInitiative, today: dt.date) -> dict[str, Any]:
    """Template values shared by flyers and posters; call inside ``force_locale``."""
    streets = [initiative.streets] if isinstance(initiative.streets, str) else list(initiative.streets)
    values = dataclasses.asdict(initiative) | {"streets": streets}
    for key in ("name", "champion_first_name", "place", "story_excerpt"):
        values[key] = _shorten(values[key], LIMITS[key])
    streets_text = format_list(streets, locale=str(get_locale() or "nl")) if streets else initiative.place
    return {
        "initiative": values,
        "streets_text": _shorten(streets_text, LIMITS["streets"]),
        "day": format_day(today),
    }


def _household(household: FlyerHousehold, qr_title: str) -> dict[str, Any]:
    return dataclasses.asdict(household) | {"address": _shorten(household.address, LIMITS["address"]),
                                            "qr": qr_svg(household.join_url, title=qr_title)}


def _chunks(items: Sequence[FlyerHousehold], size: int) -> Iterator[Sequence[FlyerHousehold]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters plus "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if " " in cut[limit // 2:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"

