import logging

from portal.security import RedactSecrets, redact
from tests.conftest import PASSWORD


def test_request_lines_lose_codes_and_tokens():
    assert redact('"GET /c/K7PM3QXD HTTP/1.1" 200') == '"GET /c/[redacted] HTTP/1.1" 200'
    assert redact("POST /account/confirm/abc-DEF_123?next=/x") == "POST /account/confirm/[redacted]?next=/x"
    assert redact("/account/reset-password/tok") == "/account/reset-password/[redacted]"
    assert redact("/account/email/confirm/tok") == "/account/email/confirm/[redacted]"
    assert redact("GET /v/R5BKTJS8D2WC 200") == "GET /v/[redacted] 200"
    assert redact("/notifications/stop/IjEi.Zx9") == "/notifications/stop/[redacted]"
    assert redact("GET /account/register?next=/c/K7PM3QXD/join") == "GET /account/register?next=/c/[redacted]/join"
    assert redact("GET /account/login?next=%2Fc%2FK7PM3QXD%2Fjoin") == (
        "GET /account/login?next=%2Fc%2F[redacted]%2Fjoin")
    assert redact("/i/lindelaan/doors") == "/i/lindelaan/doors"


# Route arguments that hold a secret: a household code, a verification code or an e-mailed token.
SECRET_ARGUMENTS = {"code", "verify_code", "token"}


def test_every_route_that_takes_a_code_or_token_is_redacted(app):
    """A new route with a code or token in its path must be added to the redaction (and to nginx's map)."""
    secret_rules = [rule for rule in app.url_map.iter_rules() if rule.arguments & SECRET_ARGUMENTS]
    assert {rule.endpoint for rule in secret_rules} >= {"households.code", "commitments.verify",
                                                        "notifications.opt_out"}
    for rule in secret_rules:
        values = dict.fromkeys(rule.arguments, "slug") | dict.fromkeys(rule.arguments & SECRET_ARGUMENTS,
                                                                       "Z3CR3TV4LU3")
        path = rule.build(values)[1]
        assert "Z3CR3TV4LU3" not in redact(f"GET {path} HTTP/1.1"), rule.rule
        assert "Z3CR3TV4LU3" not in redact(f"GET /account/register?next={path} HTTP/1.1"), rule.rule


def test_the_filter_rewrites_formatted_records():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s "%s" %s',
                               ("127.0.0.1", "GET /c/K7PM3QXD HTTP/1.1", 200), None)
    RedactSecrets().filter(record)
    assert "K7PM3QXD" not in record.getMessage()


def test_no_password_code_or_address_reaches_the_logs(client, caplog, make_initiative, make_household):
    household = make_household(make_initiative(), street="Geheimstraat", house_number=7)
    caplog.set_level(logging.DEBUG)
    client.post("/account/login", data={"email": "x@example.nl", "password": PASSWORD})
    client.post("/account/register", data={"name": "A", "email": "a@example.nl", "password": PASSWORD})
    client.get(f"/c/{household.code}")
    client.get("/c/WRONGCOD")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert PASSWORD not in logged
    assert household.code not in logged
    assert "Geheimstraat" not in logged
