"""Flyers and posters: one code per flyer, the right page counts, escaped user text, the language.

Text is checked on codes, names, URLs and dates only: Dutch catalog entries are added separately.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import random

import pytest
from pypdf import PdfReader

from portal.domain.codes import format_code, new_code
from portal.invitations.flyers import (
    FlyerHousehold,
    FlyerInitiative,
    flyers_pdf,
    poster_pdf,
    qr_svg,
    single_flyer_pdf,
)
from portal.pdf import StaticOnlyFetcher

TODAY = dt.date(2026, 11, 25)
BASE = "https://warmteburen.example.nl"


def initiative(**overrides) -> FlyerInitiative:
    values = {"name": "Warm wonen Lindelaan", "champion_first_name": "Anna", "place": "Ons Dorp",
              "streets": ("Lindelaan", "Eikstraat"), "initiative_url": f"{BASE}/i/lindelaan",
              "story_excerpt": "Wij zijn buren aan de Lindelaan en willen samen van het gas af."} | overrides
    return FlyerInitiative(**values)


def households(count: int) -> list[FlyerHousehold]:
    result = []
    for n in range(1, count + 1):
        code = new_code(random.Random(n).randrange)
        result.append(FlyerHousehold(address=f"Lindelaan {n}, 1234 AB Ons Dorp", code_display=format_code(code),
                                     join_url=f"{BASE}/c/{code}"))
    return result


def pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def squashed(text: str) -> str:
    """Without any whitespace: lines may wrap anywhere in a long name."""
    return "".join(text.split())


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield app


def test_a4_batch_has_one_page_per_household_with_its_code_and_link(request_context):
    batch = households(12)
    texts = pages(flyers_pdf(initiative(), batch, layout="a4", cut_marks=False, language="nl", today=TODAY))

    assert len(texts) == 12
    for text, household in zip(texts, batch, strict=True):
        assert text.count(household.code_display) == 2  # on the flyer and on the reply slip
        assert household.join_url in text
        assert household.address in text
        assert "Anna" in text
        assert "25 november 2026" in text
        others = [h.code_display for h in batch if h is not household]
        assert not any(code in text for code in others)


def test_a5_batch_puts_two_flyers_on_each_sheet(request_context):
    batch = households(12)
    texts = pages(flyers_pdf(initiative(), batch, layout="a5", cut_marks=False, language="nl", today=TODAY))

    assert len(texts) == 6
    assert texts[0].count("✂") == 2  # the reply slips only: no cut line
    for index, text in enumerate(texts):
        on_sheet = batch[2 * index:2 * index + 2]
        assert all(h.code_display in text and h.join_url in text for h in on_sheet)
        assert sum(h.code_display in text for h in batch) == 2


def test_a5_with_cut_marks_and_an_odd_count_ends_with_a_half_sheet(request_context):
    batch = households(13)
    texts = pages(flyers_pdf(initiative(), batch, layout="a5", cut_marks=True, language="nl", today=TODAY))

    assert len(texts) == 7
    assert texts[0].count("✂") == 3  # one on each reply slip, one on the cut line between the flyers
    assert batch[12].code_display in texts[6]
    assert sum(h.code_display in texts[6] for h in batch) == 1


@pytest.mark.parametrize(("layout", "expected_pages"), [("a4", 7), ("a5", 4)])
def test_chunks_are_merged_in_order(request_context, layout, expected_pages):
    batch = households(7)
    data = flyers_pdf(initiative(), batch, layout=layout, cut_marks=False, language="en", today=TODAY,
                      chunk_size=3)  # A5 rounds up to 4, so no sheet is half empty mid-batch

    texts = pages(data)
    assert len(texts) == expected_pages
    found = [h.code_display for text in texts for h in batch if h.code_display in text]
    assert found == [h.code_display for h in batch]
    reader = PdfReader(io.BytesIO(data))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert "Warm wonen Lindelaan" in reader.metadata.title


def test_single_flyer(request_context):
    (household,) = households(1)
    data = single_flyer_pdf(initiative(), household, language="nl", today=TODAY)

    (text,) = pages(data)
    assert household.code_display in text
    assert household.join_url in text
    assert f"{BASE}/i/lindelaan" in text
    assert "Wij zijn buren aan de Lindelaan" in text


def test_poster_shows_the_initiative_link_not_a_household_code(request_context):
    data = poster_pdf(initiative(), language="nl", today=TODAY)

    (text,) = pages(data)
    assert f"{BASE}/i/lindelaan" in text
    assert "Lindelaan en Eikstraat" in text  # streets joined the Dutch way
    assert "Anna" in text
    assert "/c/" not in text


def test_user_text_is_escaped(request_context):
    tricky = initiative(name="<script>alert(1)</script> Buren & Co", champion_first_name="<b>Anna</b> & Piet",
                        story_excerpt="Warmte <img src=x> & gas")
    texts = pages(flyers_pdf(tricky, households(2), layout="a4", cut_marks=False, language="nl", today=TODAY))
    poster = pages(poster_pdf(tricky, language="nl", today=TODAY))[0]

    for text in map(squashed, [*texts, poster]):
        assert squashed("<script>alert(1)</script> Buren & Co") in text
        assert squashed("<b>Anna</b> & Piet") in text
        assert "&amp;" not in text
    assert squashed("Warmte <img src=x> & gas") in squashed(texts[0])


@pytest.mark.parametrize(("language", "day"), [("nl", "25 november 2026"), ("en", "25 November 2026")])
def test_language_sets_pdf_language_and_date(request_context, language, day):
    for data in (single_flyer_pdf(initiative(), households(1)[0], language=language, today=TODAY),
                 poster_pdf(initiative(), language=language, today=TODAY)):
        reader = PdfReader(io.BytesIO(data))
        assert reader.trailer["/Root"]["/Lang"] == language
        assert day in reader.pages[0].extract_text()


def test_flyers_render_cleanly_with_our_stylesheet_and_logo(request_context, monkeypatch, caplog):
    """No WeasyPrint complaints (bad CSS, missing alt text for PDF/UA, failed loads), and the
    stylesheet and logo come through the static-only fetcher."""
    served: list[str] = []
    original = StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        response = original(self, url, headers)
        served.append(url)
        return response

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", spy)
    caplog.set_level(logging.WARNING, logger="weasyprint")
    flyers_pdf(initiative(), households(2), layout="a5", cut_marks=True, language="nl", today=TODAY)
    poster_pdf(initiative(), language="nl", today=TODAY)

    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    assert any(url.endswith("/static/css/print.css") for url in served)
    assert any(url.endswith("/static/img/logo.svg") for url in served)


@pytest.mark.parametrize("long", [
    {"name": "Warmtenet " * 1000, "champion_first_name": "Annemarie-Josephine " * 50,
     "story_excerpt": "Een heel lang verhaal. " * 500, "streets": tuple(f"Straat{n}" for n in range(300))},
    {"name": "W" * 10_000, "champion_first_name": "A" * 10_000, "story_excerpt": "v" * 10_000,
     "streets": ("S" * 10_000,)},
])
def test_long_texts_never_push_anything_off_the_page(request_context, long):
    batch = [FlyerHousehold("Lindelaan 1, 1234 AB Ons Dorp " * 50, "K7PM-QXD3", f"{BASE}/c/K7PMQXD3")] * 3
    a4 = pages(flyers_pdf(initiative(**long), batch, layout="a4", cut_marks=False, language="nl", today=TODAY))
    a5 = pages(flyers_pdf(initiative(**long), batch, layout="a5", cut_marks=True, language="nl", today=TODAY))
    poster = pages(poster_pdf(initiative(**long), language="nl", today=TODAY))

    assert [text.count("K7PM-QXD3") for text in a4] == [2, 2, 2]  # flyer and reply slip still there
    assert [text.count("K7PM-QXD3") for text in a5] == [4, 2]
    assert len(poster) == 1 and f"{BASE}/i/lindelaan" in poster[0]


def test_bad_arguments_are_refused(request_context):
    with pytest.raises(ValueError, match="layout"):
        flyers_pdf(initiative(), households(1), layout="a3", cut_marks=False, language="nl", today=TODAY)
    with pytest.raises(ValueError, match="household"):
        flyers_pdf(initiative(), [], layout="a4", cut_marks=False, language="nl", today=TODAY)


def test_qr_svg_is_inline_scalable_black_svg():
    svg = qr_svg(f"{BASE}/c/K7PMQXD3", title="QR & code")
    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    assert "viewBox" in svg
    assert "width=" not in svg.split(">", 1)[0]  # no fixed size: it scales to its box
    assert 'stroke="#000"' in svg
    assert "<title>QR &amp; code</title>" in svg

