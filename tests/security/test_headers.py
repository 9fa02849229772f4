import pytest

PAGES = ["/", "/privacy", "/toegankelijkheid", "/account/login", "/account/register", "/healthz", "/nope"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # development is plain http


@pytest.fixture
def production_app(make_app):
    return make_app(PORTAL_ENV="production", TRUSTED_HOSTS=["warmteburen.example.nl"], TESTING=False)


def test_production_sends_hsts(production_app):
    app = production_app
    response = app.test_client().get("/healthz", base_url="https://warmteburen.example.nl")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_production_refuses_unknown_host_headers(production_app):
    app = production_app
    response = app.test_client().get("/", base_url="https://evil.example")
    assert response.status_code == 400


def test_production_session_cookie_is_host_prefixed_secure_httponly_lax(production_app):
    app = production_app
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["PERMANENT_SESSION_LIFETIME"].days <= 14


def test_development_session_cookie_is_httponly_and_lax(client, make_user):
    user = make_user()
    page = client.get("/account/login").get_data(as_text=True)
    from tests.security.conftest import csrf_token_from

    response = client.post("/account/login", data={
        "email": user.email, "password": "lange-zin-voor-tests", "csrf_token": csrf_token_from(page)})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_template_served_to_browsers_has_inline_script_or_style():
    """The CSP forbids inline code; this keeps templates from silently breaking under it."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    for path in root.rglob("*.html"):
        if "emails" in path.parts:  # e-mail clients need inline styles; mail is not served under our CSP
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert not re.search(r"\sstyle=", text), path
        assert not re.search(r"\son[a-z]+=", text), path
