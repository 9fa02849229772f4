"""Words for the feasibility screens: parameter names, groups, levers, options and the seed's chances and
challenges per scenario. Source notes come from portal.domain.feasibility (marked with N_ there)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

GROUPS = {
    "prices": _l("Energy prices"),
    "heat": _l("Heat demand"),
    "heat_pumps": _l("Heat pumps"),
    "subsidies": _l("Subsidies"),
    "ground": _l("Ground and boreholes"),
    "network": _l("Pipes and network"),
    "finance": _l("Loans and financing"),
    "tariffs": _l("Heat tariffs (market party)"),
    "co2": _l("CO2"),
    "grid": _l("Electricity grid on a cold day"),
    "society": _l("Costs for the Netherlands"),
    "noise": _l("Noise of an outdoor unit"),
}

PARAMETERS = {
    "gas_price": _l("Gas price"),
    "gas_fixed": _l("Fixed costs of the gas connection"),
    "boiler_maintenance": _l("Boiler maintenance"),
    "boiler_reserve": _l("Saving for a new boiler"),
    "elec_price": _l("Electricity price"),
    "gas_kwh_per_m3": _l("Energy in one cubic metre of gas"),
    "boiler_eff": _l("Efficiency of the gas boiler"),
    "cooking_m3": _l("Gas for cooking"),
    "cooking_kwh": _l("Electricity for cooking on induction"),
    "full_load_hours": _l("Full-load hours of the heat pump"),
    "min_hp_kw": _l("Smallest heat pump"),
    "scop_ground": _l("Efficiency of a ground-source heat pump (SCOP)"),
    "scop_air": _l("Efficiency of an air heat pump (SCOP)"),
    "hp_ground_base": _l("Ground-source heat pump: base price"),
    "hp_ground_per_kw": _l("Ground-source heat pump: price per kW"),
    "hp_air_base": _l("Air heat pump: base price"),
    "hp_air_per_kw": _l("Air heat pump: price per kW"),
    "indoor_adjustments": _l("Work inside the home"),
    "hp_maintenance": _l("Heat pump maintenance"),
    "isde_air_start": _l("ISDE air heat pump: base amount"),
    "isde_air_per_kw": _l("ISDE air heat pump: per kW"),
    "isde_air_label": _l("ISDE air heat pump: label bonus"),
    "isde_ground": _l("ISDE per ground-source heat pump"),
    "isde_heatnet": _l("ISDE for a heat network connection"),
    "w_per_m": _l("Heat from the ground per metre of borehole"),
    "simultaneity_floor": _l("Simultaneity factor of a shared field"),
    "borehole_max_m": _l("Maximum depth of a borehole"),
    "drill_per_m": _l("Drilling price per metre"),
    "per_borehole": _l("Costs per borehole"),
    "mobilisation": _l("Costs per project (drilling rig, design)"),
    "cluster_setup": _l("Costs per shared-loop block"),
    "frontage_m": _l("Width of a home along the street"),
    "garden_pipe_per_m": _l("Pipe through gardens, per metre"),
    "garden_conn_m": _l("Pipe per home"),
    "ring_trench_per_m": _l("Trench in the street, per metre"),
    "ring_to_source_m": _l("Pipe from the street to the boreholes"),
    "ring_conn": _l("Connection of a home to the ring"),
    "ring_plant": _l("Pump and controls of the ring"),
    "shared_maint_loop": _l("Yearly maintenance of a shared loop"),
    "shared_maint_ring": _l("Yearly maintenance of a ring network"),
    "loan_rate": _l("Interest on the household loan"),
    "loan_years": _l("Term of the household loan"),
    "coop_rate": _l("Interest of the cooperative"),
    "coop_years": _l("Term of the cooperative's financing"),
    "esco_rate": _l("Interest of the market party"),
    "esco_years": _l("Depreciation term of the market party"),
    "esco_margin": _l("Margin of the market party"),
    "acm_fixed": _l("Maximum fixed heat charge (ACM)"),
    "acm_gj": _l("Maximum heat price per GJ (ACM)"),
    "esco_connection_fee": _l("One-off connection fee of the market party"),
    "co2_gas": _l("CO2 per cubic metre of gas"),
    "co2_elec": _l("CO2 per kWh of electricity"),
    "cost_split": _l("How the shared costs are divided"),
    "t_design": _l("Outdoor temperature on a very cold day"),
    "t_sink": _l("Supply temperature of the heating"),
    "t_brine": _l("Temperature from the boreholes on a very cold day"),
    "p_household": _l("Electricity per home on a cold day, without a heat pump"),
    "hp_coincidence": _l("Share of heat pumps running at the same time"),
    "grid_headroom_kw": _l("Spare capacity of the transformer"),
    "grid_ms_room": _l("New transformer station (MS-ruimte)"),
    "grid_ms_room_kw": _l("Capacity of a new transformer station"),
    "grid_lv_per_m": _l("Heavier low-voltage cable, per metre of street"),
    "grid_connection": _l("Heavier electricity connection per home"),
    "gas_disconnection": _l("Removing the gas connection"),
    "electric_cooking": _l("Switching to electric cooking"),
    "r_soc": _l("Discount rate for the Netherlands"),
    "life_hp": _l("Life of a heat pump"),
    "life_boiler": _l("Life of a gas boiler"),
    "life_field": _l("Life of the boreholes and pipes"),
    "life_grid": _l("Life of the grid and connections"),
    "life_cooking": _l("Life of an electric cooker"),
    "energy_tax_elec": _l("Energy tax on electricity"),
    "energy_tax_gas": _l("Energy tax on gas"),
    "vat": _l("VAT"),
    "boiler_capex": _l("New gas boiler"),
    "noise_limit": _l("Noise limit at the plot boundary"),
    "tonal_penalty": _l("Penalty for a tonal sound"),
    "lw_air": _l("Sound power of an air heat pump's outdoor unit"),
    "borehole_spacing_m": _l("Distance between boreholes"),
    "boundary_distance_m": _l("Distance from a borehole to the plot boundary"),
}
UNITS = {"€/yr": _l("€ per year"), "years": _l("years"), "h/yr": _l("hours per year"),
         "m³/yr": _l("m³ per year"), "kWh/yr": _l("kWh per year")}
COST_SPLITS = {"equal": _l("Equally per home"), "heat": _l("By heat demand")}

VARIANTS = {"shared_loop": _l("Shared ground loop"), "ring": _l("Small ring network")}
SCENARIOS = {
    "A": _l("A: self-managed, every household borrows"),
    "B": _l("B: local energy cooperative"),
    "C": _l("C: market party"),
}
# The seed's chances and challenges per scenario (shown beside the numbers).
CHANCES = {
    "A": [_l("Attractive loans"), _l("Most feasible")],
    "B": [_l("(Part of) the investment is not paid by the resident"),
          _l("Crowdfunding or the municipality can take part")],
    "C": [_l("(Part of) the investment is not paid by the resident"), _l("Probably available soon")],
}
CHALLENGES = {
    "A": [_l("Willingness to borrow"), _l("Households' room to borrow")],
    "B": [_l("Legal complications"), _l("Time to set up"), _l("Financially still unclear")],
    "C": [_l("Dependence on the market party"), _l("Legal complications"), _l("Higher costs for residents?")],
}
LEVERS = {
    "zero_loan": _l("A loan at 0% interest (household income up to € 60,000)"),
    "loan_20_years": _l("A loan over 20 years instead of 15"),
    "no_indoor_work": _l("No work needed inside your home"),
    "cooperative": _l("The energy cooperative pays for the shared source (scenario B)"),
    "all_neighbours": _l("Every neighbour joins"),
    "good_ground": _l("The ground gives more heat than assumed"),
}
RATINGS = {"met": _l("met"), "partly": _l("partly"), "not_met": _l("not met"),
           "not_assessable": _l("cannot be assessed")}
PARTS = {"annuity": _l("Loan repayment"), "electricity": _l("Electricity"), "maintenance": _l("Maintenance"),
         "source_fee": _l("Fee to the cooperative for the source"), "heat_fixed": _l("Fixed heat charge"),
         "heat_charge": _l("Heat used")}
PARAMETER_ERRORS = {
    "not_a_number": _l("Enter a number, for example 1,5."),
    "not_finite": _l("Enter a number, for example 1,5."),
    "not_integer": _l("Enter a whole number."),
    "zero_not_allowed": _l("This cannot be 0."),
    "below_minimum": _l("This number is too low (at least %(limit)s)."),
    "above_maximum": _l("This number is too high (at most %(limit)s)."),
    "invalid_choice": _l("Choose one of the options."),
    "unknown": _l("Unknown setting."),
    "above_supply_temperature": _l("This temperature must be lower than the supply temperature of the heating."),
    "cop_out_of_range": _l("The difference with the supply temperature must be between 15 and 60 degrees; "
                           "outside that range the heat pump formulas do not apply."),
}
# Street indicators (FEASIBILITY.md §5).
SOCIETAL_OPTIONS = {
    "gas": _l("Stay on gas"),
    "air": _l("Own air heat pump for every home"),
    "shared_loop": _l("Mini heat network: shared ground loop"),
    "ring": _l("Mini heat network: small ring network"),
}
STREET_ERRORS = {
    "too_few_homes": _l("The street figures need a street of at least two homes."),
    "no_households_joined": _l("No household takes part yet, so there are no street figures. Tick at least "
                               "one home in the what-if."),
    "unknown_home": _l("A chosen home is not in this street."),
    "already_joined": _l("This household already takes part."),
}
