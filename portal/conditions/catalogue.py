"""The 18 resident conditions (CONDITIONS.md): exact Dutch labels (the residents' own words), English,
and a B1 explanation for "Wat betekent dit?". The database is the source of truth after the first
migration (administrators edit the texts); migration 0002 inserts these rows once.
"""

from __future__ import annotations

from typing import NamedTuple


class CatalogueEntry(NamedTuple):
    key: str
    label_nl: str
    label_en: str
    explanation_nl: str
    explanation_en: str


CATALOGUE: tuple[CatalogueEntry, ...] = (
    CatalogueEntry(
        "costs_stable", "Woonlasten stijgen niet", "Housing costs do not rise",
        "Uw lening en uw energierekening samen zijn niet hoger dan wat u nu met gas betaalt.",
        "Loan repayment and energy bill together are not higher than today with gas."),
    CatalogueEntry(
        "favourable_loan", "Gunstige lening voor iedereen", "A favourable loan for everyone",
        "Elk huishouden kan zijn deel betalen, ook met een klein inkomen. Bijvoorbeeld met een lening zonder rente.",
        "Every household can finance its share, also with a small income."),
    CatalogueEntry(
        "limited_risk", "Risico's beperkt", "Limited risks",
        "De risico's voor uw huishouden zijn klein en vooraf bekend. Dat geldt voor de techniek en voor het geld.",
        "Technical and financial risks for the household are small and known."),
    CatalogueEntry(
        "comfort_guaranteed", "Comfort en betrouwbaarheid gegarandeerd", "Comfort and reliability guaranteed",
        "Uw huis blijft warm en u heeft altijd warm water. Gaat er iets mis, dan is er iemand die het oplost.",
        "The home stays warm, with hot water, and someone answers when it fails."),
    CatalogueEntry(
        "flexible_moving", "Flexibel om te verhuizen", "Flexible when moving house",
        "U kunt uw huis gewoon verkopen. De afspraken gaan over naar de koper of stoppen netjes.",
        "Selling the home stays easy; the arrangement passes on or ends cleanly."),
    CatalogueEntry(
        "lasting_influence", "Blijvende invloed / zeggenschap", "Lasting influence / say",
        "Bewoners blijven meebeslissen over prijzen, onderhoud en andere keuzes.",
        "Residents keep a say in prices, maintenance and decisions."),
    CatalogueEntry(
        "works_partial", "Ook haalbaar als niet iedereen meedoet", "Feasible even if not everyone joins",
        "Het project gaat ook door als een paar buren niet meedoen.",
        "The project still works when some neighbours do not join."),
    CatalogueEntry(
        "co2_gain", "Grote CO2 winst, zo snel mogelijk klimaatneutraal",
        "Large CO2 gain, climate neutral as soon as possible",
        "Veel minder CO2 dan nu met gas, en dat zo snel mogelijk.",
        "Much less CO2 than today, soon."),
    CatalogueEntry(
        "limited_nuisance", "Overlast en ruimtebeslag beperkt", "Limited nuisance and use of space",
        "Weinig geluid, weinig apparaten in en om het huis, en het werk duurt kort.",
        "Little noise, little equipment in and around the home, short works."),
    CatalogueEntry(
        "offer_every_household", "Elk huishouden krijgt een aanbod", "Every household receives an offer",
        "Elk adres in de straat krijgt een eigen aanbod, ook als het pas later wil meedoen.",
        "Every address in the street gets a personal offer, also later."),
    CatalogueEntry(
        "nobody_obliged", "Niemand verplicht", "Nobody is obliged",
        "Meedoen is vrijwillig. Tot u de definitieve overeenkomst tekent, kunt u zonder kosten stoppen.",
        "Joining is voluntary; you can stop without penalty until the binding stage."),
    CatalogueEntry(
        "phased", "Gefaseerde uitvoering mogelijk", "Phased implementation possible",
        "Woningen kunnen later aansluiten. Niet alles hoeft tegelijk.",
        "Homes can join later; not everything has to happen at once."),
    CatalogueEntry(
        "technically_simple", "Technisch eenvoudig realiseerbaar (weinig ingrepen)",
        "Technically simple (few interventions)",
        "Er hoeft weinig te veranderen in uw huis en in de straat.",
        "Few changes in the home and the street."),
    CatalogueEntry(
        "limited_dependency", "Afhankelijkheid installateur / leverancier beperken",
        "Limit dependence on installer / supplier",
        "Bewoners zitten niet vast aan één bedrijf voor de installatie of het onderhoud.",
        "Residents are not locked in to one company."),
    CatalogueEntry(
        "cooling", "Mogelijkheid tot koeling", "Cooling possible",
        "Het systeem kan uw huis in de zomer ook koelen.",
        "The system can also cool the home in summer."),
    CatalogueEntry(
        "no_neighbour_disputes", "Geen lastige discussies met buren", "No difficult discussions with neighbours",
        "Er zijn duidelijke afspraken. Zo hoeven buren geen ruzie te maken over geld of gebruik.",
        "Clear rules, so neighbours do not have to argue about money or use."),
    CatalogueEntry(
        "minimal_demolition", "Minimaal sloop & breekwerk", "Minimal demolition and construction work",
        "Er hoeft weinig open te worden gebroken: vloeren, muren en tuinen blijven zoveel mogelijk heel.",
        "Little breaking open of floors, walls and gardens."),
    CatalogueEntry(
        "less_market_dependence", "Minder afhankelijk energiemarkten", "Less dependent on energy markets",
        "U heeft minder last van stijgende of schommelende prijzen voor gas en stroom.",
        "Less exposed to gas and electricity price swings."),
)
