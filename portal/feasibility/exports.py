"""The comparison as a download: CSV rows (numbers stay numbers for Excel) and the PDF one-pager's
plain values (formatted text, a real minus sign). Both carry the conditions scorecard, with the
coordinator's ratings and notes, as the comparison page shows it."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from portal.domain import feasibility as model
from portal.feasibility import texts
from portal.feasibility.service import Comparison
from portal.i18n import format_money, format_money_delta

THRESHOLDS = model.DEFAULT_THRESHOLDS


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _k_min_label(threshold: Decimal) -> str:
    if threshold > 0:
        return _("Households needed for at most %(amount)s per month more",
                 amount=format_money(threshold, whole=True))
    return _("Households needed for no more than with gas")


def _rating(assessment: model.Assessment) -> str:
    """The rating in words; a coordinator's rating says so, with the calculated one and the note."""
    rating = str(texts.RATINGS[assessment.rating.value])
    if not assessment.overridden:
        return rating
    computed = str(texts.RATINGS[assessment.params.get("computed", assessment.rating.value)])
    if assessment.note:
        return _("%(rating)s (rated by the coordinator, calculated: %(computed)s): %(note)s",
                 rating=rating, computed=computed, note=assessment.note)
    return _("%(rating)s (rated by the coordinator, calculated: %(computed)s)", rating=rating, computed=computed)


def _shown(card: model.Scorecard, conditions: Mapping[str, str]) -> list[model.Assessment]:
    return [assessment for assessment in card.assessments if assessment.key in conditions]


def csv_table(result: Comparison, conditions: Mapping[str, str]) -> tuple[list[str], list[list[Any]]]:
    """One row per option; amounts as numbers (€, + more / − less than gas), yes/no in words,
    then one column per condition the initiative shows."""
    shown = [key for key in conditions if key in model.CONDITION_KEYS]
    header = [_("Variant"), _("Scenario"), _("Households"), _("Feasible"), _("Shared investment (€)"),
              _("Average per month vs gas (€, + more, − less)"), _("Highest per month vs gas (€, + more, − less)"),
              _("Households that rank"), _("Households that find it acceptable"),
              *[_k_min_label(t) for t in THRESHOLDS], *[conditions[key] for key in shown]]
    rows = []
    for option in model.OPTIONS:
        item, curve, accepted = result.results[option], result.curves[option], result.acceptance[option]
        card = result.scorecards[option]
        rows.append([str(texts.VARIANTS[option.variant.value]), str(texts.SCENARIOS[option.scenario.value]),
                     item.k, _yes_no(item.viable), item.shared_capex, item.mean_monthly_delta_gas,
                     item.worst_monthly_delta_gas, accepted.households, accepted.acceptable,
                     *[curve.k_min.get(t) if curve.k_min.get(t) is not None else _("not feasible")
                       for t in THRESHOLDS],
                     *[_rating(card.get(key)) for key in shown]])
    return header, rows


def pdf_table(result: Comparison, conditions: Mapping[str, str]) -> dict[str, Any]:
    """The one-pager transposed: a column per option, a row per figure and per condition; a
    coordinator's rating is marked with a number that leads to its note below the table."""
    options = list(model.OPTIONS)
    figures: list[list[str]] = [
        [_("Feasible"), *[_yes_no(result.results[o].viable) for o in options]],
        [_("Average per month vs gas"), *[format_money_delta(result.results[o].mean_monthly_delta_gas)
                                           for o in options]],
        [_("Highest per month vs gas"), *[format_money_delta(result.results[o].worst_monthly_delta_gas)
                                           for o in options]],
        [_("Shared investment"), *[format_money(result.results[o].shared_capex, whole=True) for o in options]],
    ]
    for threshold in THRESHOLDS:
        figures.append([_k_min_label(threshold), *[
            ngettext("%(num)d household", "%(num)d households", k)
            if (k := result.curves[o].k_min.get(threshold)) is not None else _("not feasible") for o in options]])
    figures.append([_("Acceptable for households"), *[
        _("%(ok)s of %(all)s", ok=result.acceptance[o].acceptable, all=result.acceptance[o].households)
        if result.acceptance[o].households else _("nobody has ranked yet") for o in options]])
    ratings: list[list[dict[str, Any]]] = []
    notes: list[str] = []
    for key, label in conditions.items():
        if key not in model.CONDITION_KEYS:
            continue
        row = []
        for option in options:
            assessment = result.scorecards[option].get(key)
            mark = None
            if assessment.overridden:
                notes.append(_("%(option)s, %(condition)s (calculated: %(computed)s): %(note)s",
                               option=f"{texts.VARIANTS[option.variant.value]} {option.scenario.value}",
                               condition=label, note=assessment.note,
                               computed=texts.RATINGS[assessment.params.get("computed", "not_assessable")]))
                mark = len(notes)
            row.append({"rating": assessment.rating.value, "text": str(texts.RATINGS[assessment.rating.value]),
                        "mark": mark})
        ratings.append([{"text": label}, *row])
    return {"options": [[str(texts.VARIANTS[o.variant.value]), str(texts.SCENARIOS[o.scenario.value])]
                        for o in options],
            "figures": figures, "ratings": ratings, "notes": notes}
