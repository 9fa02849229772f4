"""Every rule of SECURITY.md has a test (issue 15 part 3).

SECURITY_RULES maps each section of SECURITY.md and, in it, each rule (a bullet; in "Bad input" the opening
rule and each example) by a phrase only that rule contains, to the tests that show it holds.
``test_every_rule_in_security_md_has_a_test`` reads SECURITY.md: a new section or rule without a row here, a
row whose phrase no rule contains any more, or a named test that does not exist, fails it. A rule that has
no test yet is listed in GAPS with the reason, and only there may its tuple be empty; a rule whose tests show
only part of it says in NOT_YET which part is missing.

The tests further down are the ones this table found missing.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from typing import Any

import pytest
from flask import Flask, render_template_string, request
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import ROOT
from portal.extensions import db
from tests.conftest import PASSWORD
from tests.security.conftest import csrf_token_from

SECURITY_MD = ROOT.parent / "shared" / "SECURITY.md"  # the product docs live beside the repository

SECURITY_RULES: dict[str, dict[str, tuple[str, ...]]] = {
    "Accounts and sessions": {
        "argon2id": (
            "tests/accounts/test_login.py::test_old_hash_parameters_are_upgraded_on_login",
            "tests/accounts/test_register.py::test_common_passwords_are_refused",
            "tests/accounts/test_register.py::test_the_email_address_itself_is_not_a_password",
            "tests/accounts/test_register.py::test_a_password_of_a_megabyte_is_refused_before_hashing",
            "tests/test_cli.py::test_create_admin_refuses_a_weak_password",
            "tests/security/test_rules.py::test_passwords_are_argon2id_and_at_least_twelve_characters",
        ),
        "session_version": (
            "tests/accounts/test_sessions.py::test_a_copied_cookie_stops_working_after_logout",
            "tests/accounts/test_sessions.py::test_log_out_everywhere_ends_every_session",
            "tests/accounts/test_sessions.py::test_changing_the_password_keeps_this_device_and_ends_the_others",
            "tests/accounts/test_sessions.py::test_a_cookie_with_a_malformed_user_id_is_ignored",
        ),
        "Cookies:": (
            "tests/security/test_headers.py::test_production_session_cookie_is_host_prefixed_secure_httponly_lax",
            "tests/security/test_headers.py::test_development_session_cookie_is_httponly_and_lax",
        ),
        "rate-limited": (
            "tests/security/test_rate_limits.py::test_the_sixth_failed_login_in_a_minute_gets_a_dutch_429",
            "tests/security/test_rate_limits.py::test_password_reset_requests_are_limited",
            "tests/security/test_rate_limits.py::test_guessing_household_codes_is_stopped_with_a_dutch_429",
            "tests/security/test_rate_limits.py::test_every_route_that_takes_a_household_code_shares_one_limit",
            "tests/security/test_rate_limits.py::test_invitations_are_limited_per_account_across_initiatives",
            "tests/security/test_rate_limits.py::test_invitations_are_limited_per_initiative_across_champions",
            "tests/commitments/test_security.py::test_verification_lookups_are_rate_limited",
            "tests/commitments/test_security.py::test_signing_posts_are_limited_per_account",
            "tests/accounts/test_login.py::test_wrong_password_and_unknown_email_get_the_same_answer",
            "tests/accounts/test_passwords_and_email.py::test_forgot_password_answers_the_same_for_unknown_addresses",
            "tests/faults/test_rate_limit_store_down.py::test_limited_actions_fail_closed_with_a_dutch_503",
            "tests/faults/test_rate_limit_store_down.py::test_redis_failing_and_coming_back",
        ),
        "Password reset and e-mail confirmation tokens": (
            "tests/accounts/test_passwords_and_email.py::test_reset_link_sets_a_new_password_once",
            "tests/accounts/test_passwords_and_email.py::test_reset_tokens_are_stored_hashed",
            "tests/accounts/test_passwords_and_email.py::test_an_expired_reset_link_is_refused",
            "tests/accounts/test_register.py::test_a_confirmation_link_works_only_once",
        ),
        "Roles:": (
            "tests/test_route_access.py::test_every_route_obeys_its_rule",
            "tests/test_route_access.py::test_the_rules_are_strict_where_it_matters",
            "tests/commitments/test_signing.py::test_another_households_commitment_answers_404",
        ),
    },
    "Requests and pages": {
        "CSRF on every form": (
            "tests/security/test_csrf.py::test_every_post_route_refuses_a_request_without_token",
            "tests/security/test_csrf.py::test_a_stale_token_keeps_the_form_and_explains_in_dutch",
            "tests/security/test_rules.py::test_csrf_tokens_do_not_expire_and_production_checks_the_referrer",
        ),
        "Security headers": (
            "tests/security/test_headers.py::test_every_response_carries_the_security_headers",
            "tests/security/test_headers.py::test_production_sends_hsts",
            "tests/security/test_headers.py::test_no_template_served_to_browsers_has_inline_script_or_style",
        ),
        "TRUSTED_HOSTS": (
            "tests/security/test_config.py::test_production_refuses_to_start_without_trusted_hosts",
            "tests/security/test_headers.py::test_production_refuses_unknown_host_headers",
            "tests/security/test_rules.py::test_proxy_headers_count_only_when_a_proxy_is_configured",
        ),
        "autoescape": (
            "tests/security/test_rules.py::test_templates_escape_and_never_mark_text_safe",
            "tests/invitations/test_flyers.py::test_user_text_is_escaped",
            "tests/commitments/test_signing.py::test_the_receipt_is_tagged_dutch_and_escapes_user_text",
            "tests/security/test_bad_input.py::test_bad_input_in_every_form_gets_no_500_no_markup_and_dutch_field_errors",
        ),
        "Uploads (": (
            "tests/test_main.py::test_too_large_requests_get_a_413",
            "tests/commitments/test_paper.py::test_pdf_jpeg_and_png_scans_are_accepted_by_their_bytes",
            "tests/commitments/test_paper.py::test_scans_that_are_not_what_they_claim_are_refused_and_not_stored",
            "tests/commitments/test_paper.py::test_only_our_random_names_lead_to_a_file",
            "tests/commitments/test_paper.py::test_the_scan_is_served_as_an_attachment_to_managers_only_and_audited",
            "tests/knowledge/test_knowledge.py::test_a_file_that_is_too_large_is_refused",
            "tests/initiatives/test_initiatives.py::test_a_photo_is_checked_by_its_bytes",
        ),
        "formula injection": (
            "tests/commitments/test_downloads.py::test_csv_neutralises_formulas_in_typed_names",
            "tests/conditions/test_results.py::test_custom_condition_text_cannot_inject_formulas_in_the_csv",
        ),
        "Download names": (
            "tests/test_downloads.py::test_a_street_name_cannot_add_a_header_parameter",
            "tests/test_downloads.py::test_no_view_writes_a_content_disposition_header_itself",
            "tests/test_downloads.py::test_a_flyer_for_a_street_outside_latin1_downloads",
        ),
        "length cap": (
            "tests/test_long_input.py::test_every_form_caps_its_input_and_every_free_text_field_has_a_length",
            "tests/test_long_input.py::test_a_megabyte_next_does_not_become_a_megabyte_location",
            "tests/test_long_input.py::test_a_megabyte_in_a_public_form_is_not_echoed",
        ),
        "no row points to": (
            "tests/initiatives/test_photo_files.py::test_a_replaced_photo_is_deleted_from_disk",
            "tests/initiatives/test_photo_files.py::test_a_removed_photo_is_deleted_from_disk",
            "tests/initiatives/test_photo_files.py::test_housekeeping_removes_old_files_no_row_points_to",
            "tests/commitments/test_paper.py::test_discard_removes_a_scan_whose_row_was_never_written",
        ),
    },
    "PDFs (WeasyPrint)": {
        "URL fetcher": (
            "tests/invitations/test_pdf.py::test_fetcher_refuses_everything_else",
            "tests/invitations/test_pdf.py::test_fetcher_refuses_escapes_directories_and_missing_files",
            "tests/invitations/test_pdf.py::test_fetcher_refuses_symlinks_out_of_static_but_follows_links_inside",
            "tests/invitations/test_pdf.py::test_hostile_template_renders_without_fetching_anything_outside_static",
        ),
        "QR codes": (
            "tests/invitations/test_flyers.py::test_qr_svg_is_inline_scalable_black_svg",
            "tests/invitations/test_pdf.py::test_fetcher_keeps_no_urllib_handlers_to_fall_back_on",
        ),
        "pdf/ua-1": (
            "tests/invitations/test_pdf.py::test_pdf_has_title_language_and_is_tagged",
            "tests/invitations/test_flyers.py::test_language_sets_pdf_language_and_date",
        ),
        "bytes of every signed PDF": (
            "tests/commitments/test_texts.py::test_a_signed_commitment_keeps_the_text_it_signed",
            "tests/commitments/test_verify.py::test_the_issued_pdf_matches",
            "tests/commitments/test_signing.py::test_a_conditional_intent_is_recorded_with_its_evidence",
        ),
    },
    "Integrity of commitments": {
        "At most one valid commitment": (
            "tests/commitments/test_integrity.py::"
            "test_the_database_refuses_a_second_valid_commitment_of_a_household_and_level",
            "tests/commitments/test_concurrency.py::test_twenty_concurrent_submits_make_one_commitment",
        ),
        "hash-chained event log": (
            "tests/commitments/test_eventlog.py::test_events_form_an_intact_chain",
            "tests/commitments/test_eventlog.py::test_the_database_refuses_to_change_an_event",
            "tests/commitments/test_eventlog.py::test_the_database_refuses_to_delete_an_event",
            "tests/commitments/test_eventlog.py::test_a_tampered_row_is_caught",
        ),
        "idempotent": (
            "tests/commitments/test_signing.py::test_a_double_tap_or_replayed_post_makes_one_commitment",
            "tests/commitments/test_signing.py::test_a_second_tab_makes_no_second_commitment",
        ),
    },
    "Privacy (AVG/GDPR)": {
        "Data minimisation": (
            "tests/security/test_rules.py::test_no_column_holds_a_birth_date_bsn_or_phone_number_and_gas_is_optional",
        ),
        "download their data": (
            "tests/privacy/test_my_data.py::test_the_zip_holds_everything_about_me_and_nothing_of_others",
            "tests/accounts/test_passwords_and_email.py::test_deleting_the_account_removes_personal_data",
            "tests/commitments/test_eventlog.py::test_deleting_an_account_only_forgets_the_actor",
        ),
        "retention table": (
            "tests/privacy/test_statements.py::test_the_table_shows_every_configured_period",
            "tests/privacy/test_statements.py::test_every_period_has_a_row_and_a_purge",
            "tests/privacy/test_statements.py::test_purge_expired_removes_only_what_passed_its_period",
        ),
        "from 3 households": (
            "tests/conditions/test_results.py::test_results_appear_only_after_own_ranking_and_three_households",
        ),
        "Public verification page": (
            "tests/commitments/test_verify.py::test_a_known_code_shows_status_and_hashes_but_no_personal_data",
        ),
        "Logs contain no": (
            "tests/security/test_logs.py::test_no_password_code_or_address_reaches_the_logs",
            "tests/security/test_logs.py::test_request_lines_lose_codes_and_tokens",
        ),
    },
    "Reliability": {
        "one transaction": (
            "tests/commitments/test_integrity.py::test_a_failure_while_the_receipt_is_rendered_leaves_nothing_written",
            "tests/initiatives/test_photo_files.py::test_the_old_photo_stays_when_the_change_is_rolled_back",
            "tests/test_mail.py::test_a_rolled_back_mail_leaves_no_eml_file",
        ),
        "outbox table": (
            "tests/test_mail.py::test_mail_stays_queued_when_smtp_is_down_and_is_retried_later",
            "tests/test_mail.py::test_mail_is_marked_failed_after_the_last_attempt",
        ),
        "Migrations (Alembic)": (
            "tests/test_migrations.py::test_migrations_produce_exactly_the_models",
            "tests/test_migrations.py::test_an_unmigrated_database_is_refused_with_a_clear_message",
        ),
        "Health endpoint": (
            "tests/test_main.py::test_healthz_reports_the_database",
            "tests/test_main.py::test_healthz_is_503_when_the_database_is_down",
        ),
        "Backup and restore": (
            "tests/commitments/test_integrity.py::"
            "test_a_sqlite_backup_taken_while_the_app_runs_restores_every_commitment_and_an_intact_log",
            "tests/test_backup.py::test_restore_brings_the_backup_back_and_keeps_what_it_replaced",
            "tests/test_backup_postgres.py::"
            "test_the_nightly_dump_restores_into_a_fresh_database_with_every_row_and_the_same_log_head",
        ),
    },
    "Bad input — what it gets": {
        "field-level Dutch messages": (
            "tests/security/test_bad_input.py::test_bad_input_in_every_form_gets_no_500_no_markup_and_dutch_field_errors",
            "tests/security/test_bad_input.py::test_every_post_route_has_a_page_with_its_form",
            "tests/accounts/test_login.py::test_empty_login_form_names_each_field",
        ),
        "postcode in any casing": (
            "tests/domain/test_addresses.py::test_postcode_in_any_casing_and_spacing_is_normalised",
            "tests/domain/test_addresses.py::test_postcode_normalisation_is_idempotent",
            "tests/households/test_addresses.py::test_a_postcode_for_the_whole_list_is_normalised",
        ),
        "invalid postcode": (
            "tests/domain/test_addresses.py::test_invalid_postcode_is_refused",
            "tests/households/test_addresses.py::test_one_address_with_bad_fields",
        ),
        "house number with addition": (
            "tests/domain/test_addresses.py::test_house_number_with_addition_is_split",
            "tests/households/test_addresses.py::test_adding_one_address_with_addition_and_postcode",
        ),
        "duplicate address": (
            "tests/households/test_addresses.py::test_an_address_already_in_the_initiative_is_refused",
            "tests/domain/test_addresses.py::test_duplicate_in_paste_names_both_lines",
        ),
        "household code": (
            "tests/households/test_join.py::test_an_unknown_code_gets_a_friendly_404",
            "tests/households/test_join.py::test_codes_are_read_tolerantly_and_redirect_to_the_canonical_link",
            "tests/households/test_addresses.py::test_regenerating_a_code_stops_the_old_one",
            "tests/security/test_fuzz.py::test_any_typed_household_code_is_none_or_a_valid_code",
        ),
        "10,000-character names": (
            "tests/accounts/test_register.py::test_emoji_and_right_to_left_names_are_kept_exactly",
            "tests/accounts/test_register.py::test_a_10000_character_name_is_refused_with_a_message",
        ),
        "absurd gas use": (
            "tests/feasibility/test_feasibility_pages.py::test_absurd_household_inputs_get_a_message_and_nothing_is_saved",
            "tests/security/test_fuzz.py::test_any_household_input_is_refused_or_gives_finite_monthly_figures",
        ),
        "ranking payload": (
            "tests/domain/test_ranking.py::test_bad_ranking_payload_gets_a_code",
            "tests/conditions/test_ranking.py::test_a_tampered_or_incomplete_payload_gets_a_message_not_an_error",
            "tests/conditions/test_ranking.py::test_unknown_and_duplicate_keys_are_ignored_in_favour_of_the_shown_list",
            "tests/security/test_fuzz.py::test_any_ranking_payload_is_accepted_or_refused_with_a_ranking_error",
        ),
        "signing twice": (
            "tests/commitments/test_signing.py::test_a_double_tap_or_replayed_post_makes_one_commitment",
        ),
        "signing after withdrawal": (
            "tests/commitments/test_signing.py::test_withdrawing_and_signing_again_makes_a_new_commitment",
            "tests/commitments/test_signing.py::test_withdrawing_twice_changes_nothing",
        ),
        "in a phase that does not allow": (
            "tests/commitments/test_signing.py::test_agreement_only_in_development_and_realisation",
            "tests/commitments/test_signing.py::test_nothing_can_be_signed_once_closed",
        ),
        "guessing ids": (
            "tests/test_route_access.py::test_every_route_obeys_its_rule",
            "tests/commitments/test_texts.py::test_a_coordinator_of_another_municipality_gets_404",
            "tests/commitments/test_downloads.py::test_downloads_are_not_found_for_champions_residents_and_other_municipalities",
        ),
        "not a PDF/JPEG/PNG": (
            "tests/commitments/test_paper.py::test_scans_that_are_not_what_they_claim_are_refused_and_not_stored",
            "tests/knowledge/test_knowledge.py::test_a_file_that_is_not_what_it_claims_is_refused",
            "tests/knowledge/test_knowledge.py::test_a_file_that_is_too_large_is_refused",
        ),
        "wrong separator or encoding": (
            "tests/households/test_addresses.py::test_a_non_utf8_file_is_read_as_windows_text",
            "tests/households/test_addresses.py::test_a_binary_file_is_refused",
            "tests/domain/test_addresses.py::test_upload_in_utf8_bom_excel_or_utf16_is_decoded",
            "tests/domain/test_addresses.py::test_formatted_address_line_parses_back",
        ),
    },
}

GAPS: dict[str, str] = {}  # phrase → why that rule has no test yet

# Rules whose tests cover them only in part: what is not shown yet, and where it is being done.
NOT_YET: dict[str, str] = {}


def _section_rules(text: str) -> dict[str, list[str]]:
    """Per ``## heading``: its bullets (continuation lines joined); a section without bullets gives its first
    paragraph and each example of its "Examples that must be handled:" list."""
    sections: dict[str, list[str]] = {}
    for block in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        heading, _newline, body = block.partition("\n")
        bullets: list[str] = []
        for line in body.splitlines():
            if line.startswith("- "):
                bullets.append(line[2:].strip())
            elif line.startswith("  ") and bullets:
                bullets[-1] += " " + line.strip()
        if not bullets:
            prose = " ".join(body.split())
            rule, _colon, examples = prose.partition("Examples that must be handled:")
            bullets = [rule.strip(), *(e.strip(" .") for e in examples.split(";") if e.strip(" ."))]
        sections[heading.strip()] = bullets
    return sections


@cache
def _test_names(path: str) -> frozenset[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(node.name for node in ast.walk(tree)
                     if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"))


def test_every_rule_in_security_md_has_a_test() -> None:
    if not SECURITY_MD.is_file():
        pytest.skip(f"{SECURITY_MD} is not beside this checkout")
    sections = _section_rules(SECURITY_MD.read_text(encoding="utf-8"))
    assert set(sections) == set(SECURITY_RULES), "sections of SECURITY.md and of SECURITY_RULES differ"
    problems = []
    for heading, rules in sections.items():
        phrases = SECURITY_RULES[heading]
        for rule in rules:
            matching = [p for p in phrases if p.lower() in rule.lower()]
            if len(matching) != 1:
                problems.append(f"{heading}: {len(matching)} phrases match the rule {rule[:80]!r}…")
        for phrase in phrases:
            if not any(phrase.lower() in rule.lower() for rule in rules):
                problems.append(f"{heading}: no rule contains {phrase!r} any more")
    assert problems == [], "\n".join(problems)


def test_every_test_named_for_a_rule_exists_and_only_gaps_have_none() -> None:
    missing = []
    for phrases in SECURITY_RULES.values():
        for phrase, tests in phrases.items():
            assert bool(tests) != (phrase in GAPS), f"{phrase!r}: tests or a gap, one of the two"
            for test in tests:
                path, _sep, name = test.partition("::")
                if not (ROOT / path).is_file() or name not in _test_names(path):
                    missing.append(test)
    assert missing == []
    assert set(GAPS) | set(NOT_YET) <= {p for phrases in SECURITY_RULES.values() for p in phrases}


def test_the_rule_reader_reads_bullets_and_examples() -> None:
    text = ("# T\n## A\n- first rule\n  goes on\n- second\n## Bad\nEvery form is checked.\n"
            "Examples that must be handled:\none; two;\nthree.\n")
    assert _section_rules(text) == {"A": ["first rule goes on", "second"],
                                    "Bad": ["Every form is checked.", "one", "two", "three"]}


# ----------------------------------------------------------------------------- the tests the table found missing


def test_passwords_are_argon2id_and_at_least_twelve_characters(app: Flask) -> None:
    from portal.accounts import passwords

    stored = passwords.hash_password(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, PASSWORD)
    assert not passwords.verify_password(stored, PASSWORD + "x")
    assert passwords.MIN_LENGTH == 12


@pytest.fixture
def production(app: Flask, make_app: Any) -> Flask:
    """A production app on the test database (the ``app`` fixture made its tables)."""
    return make_app(PORTAL_ENV="production", TRUSTED_HOSTS=["warmteburen.example.nl"], TESTING=False,
                    WTF_CSRF_ENABLED=True)


def test_csrf_tokens_do_not_expire_and_production_checks_the_referrer(production: Flask, make_user: Any) -> None:
    """A phone keeps a tab open for days (no time limit); over https a post must come from our own pages."""
    assert production.config["WTF_CSRF_TIME_LIMIT"] is None
    email = make_user().email
    db.session.commit()  # SQLite: the production app writes (the audit of a failed log-in) on its own connection
    client = production.test_client()
    base = "https://warmteburen.example.nl"
    token = csrf_token_from(client.get("/account/login", base_url=base).get_data(as_text=True))
    data = {"email": email, "password": PASSWORD, "csrf_token": token}
    for referrer in (None, "https://evil.example/account/login", "http://warmteburen.example.nl/account/login"):
        headers = {"Referer": referrer} if referrer else {}
        response = client.post("/account/login", base_url=base, data=data, headers=headers)
        assert response.status_code == 400, f"referrer {referrer}: {response.status_code}"
        assert "We konden uw verzoek niet verwerken" in response.get_data(as_text=True)
    response = client.post("/account/login", base_url=base, data=data,
                           headers={"Referer": f"{base}/account/login"})
    assert response.status_code == 302


def test_proxy_headers_count_only_when_a_proxy_is_configured(app: Flask, make_app: Any) -> None:
    """Without PROXY_FIX a client cannot pretend to be another address (rate limits count per address)."""
    behind_proxy = make_app(PROXY_FIX=1)
    assert not isinstance(app.wsgi_app, ProxyFix)
    assert isinstance(behind_proxy.wsgi_app, ProxyFix)
    for each in (app, behind_proxy):
        each.add_url_rule("/_address", "address", lambda: request.remote_addr or "")
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    assert app.test_client().get("/_address", headers=forwarded).get_data(as_text=True) == "127.0.0.1"
    assert behind_proxy.test_client().get("/_address", headers=forwarded).get_data(as_text=True) == "203.0.113.9"


# Markup made in Python, each with why it cannot carry user text unescaped.
MARKUP_IN_PYTHON = {
    "portal/invitations/flyers.py": "the QR code's SVG from segno, which escapes the only text in it (a title)",
}


def test_templates_escape_and_never_mark_text_safe(app: Flask) -> None:
    templates = ROOT / "templates"
    marked = [str(p.relative_to(ROOT)) for p in templates.rglob("*.html")  # comments may say "never |safe"
              if re.search(r"\|\s*safe\b|autoescape\s+false",
                           re.sub(r"\{#.*?#\}", "", p.read_text(encoding="utf-8"), flags=re.DOTALL))]
    assert marked == []
    in_python = {str(p.relative_to(ROOT)) for p in (ROOT / "portal").rglob("*.py")
                 if re.search(r"\bMarkup\(", p.read_text(encoding="utf-8"))}
    assert in_python == set(MARKUP_IN_PYTHON)
    assert app.select_jinja_autoescape("commitments/show.html")
    with app.test_request_context():
        assert render_template_string("{{ name }}", name="<b>&") == "&lt;b&gt;&amp;"


FORBIDDEN_COLUMNS = re.compile(r"birth|geboorte|bsn|social_security|burgerservice|phone|telefoon|mobile", re.I)


def test_no_column_holds_a_birth_date_bsn_or_phone_number_and_gas_is_optional(app: Flask) -> None:
    """Data minimisation: the schema itself has no place for what the portal must not ask (SECURITY.md)."""
    columns = [f"{table.name}.{column.name}" for table in db.metadata.sorted_tables for column in table.columns]
    assert len(columns) > 50
    assert [c for c in columns if FORBIDDEN_COLUMNS.search(c)] == []
    assert db.metadata.tables["household"].columns["gas_m3"].nullable

