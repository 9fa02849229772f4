"""Bad input in every form (SECURITY.md, "Bad input — what it gets"; issue 15 part 3).

The forms are enumerated, not hand-picked: every URL rule that accepts POST is looked up in the access table
of tests/test_route_access.py (which visitor may post there) and its form is read from the page that shows
it — the rule's own GET page, or for a POST-only rule the page named in FORM_PAGES (a new POST-only rule
without a row there fails ``test_every_post_route_has_a_page_with_its_form``). Each visitor group then logs
in with CSRF protection on, fetches the page for the token and posts the form once per field and payload,
the other fields keeping what the page filled in.

For every answer: no 500 (nor an exception), no payload of HTML/JS back in the page unescaped, and when the
form comes back with a 4xx, every field marked invalid is linked by ``aria-describedby`` to its error, and
that error is Dutch (a message of the nl catalog or of WTForms' nl catalog). A 422 shows at least one
message and keeps what was typed in the field (not in password fields).

Rate limits are off here (they would answer 429 long before the payloads are through; tests/security/
test_rate_limits.py covers them).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from werkzeug.exceptions import HTTPException
from wtforms.i18n import messages_path

from portal.config import ROOT
from portal.extensions import db
from portal.models import Membership, User
from portal.notifications.service import opt_out_token
from tests.conftest import PASSWORD
from tests.security.conftest import csrf_token_from
from tests.test_route_access import ROUTES, RULES, World, _url, world  # noqa: F401 (world: the fixture)

# The page that shows the form of a POST-only rule (its GET endpoint).
FORM_PAGES = {
    "accounts.change_email": "accounts.settings",
    "accounts.change_password": "accounts.settings",
    "accounts.logout": "main.home",
    "accounts.logout_everywhere": "accounts.settings",
    "commitments.cosign": "commitments.show",
    "conditions.add_custom": "conditions.manage",
    "conditions.catalogue_add": "conditions.catalogue",
    "evidence.target": "evidence.overview",
    "evidence.verify": "evidence.overview",
    "feasibility.headroom": "feasibility.compare",
    "feasibility.override_condition": "feasibility.compare",
    "households.add": "households.index",
    "households.enter_code": "main.home",
    "households.enter_code_for_initiative": "initiatives.show",
    "households.order": "households.index",
    "households.paste": "households.index",
    "households.regenerate_code": "households.edit",
    "households.remove": "households.edit",
    "households.reopen": "households.edit",
    "households.set_door": "households.doors",
    "initiatives.appoint_champion": "initiatives.manage",
    "initiatives.change_stage": "initiatives.manage",
    "knowledge.add_version": "knowledge.documents",
    "knowledge.remove_provider": "knowledge.providers",
    "knowledge.unlink": "knowledge.links",
    "main.language": "main.home",
    "privacy.rename": "privacy.data",
    "roles.remove_champion": "initiatives.manage",
    "roles.remove_coordinator": "roles.coordinators",
}

# Who posts, per access rule of tests/test_route_access.py: someone the rule lets in ("coordinator_here" is
# the world's coordinator of the initiative's own municipality).
POSTER = {
    "public": "anonymous",
    "account": "resident",
    "member": "resident",
    "own_membership": "resident",
    "member_or_manager": "resident",
    "household": "resident",
    "manager": "champion",
    "coordinator": "coordinator_here",
    "workspace": "coordinator_here",
    "admin": "admin",
    "signed_link": "anonymous",
}

# Where a rule's visitor is not the one its access rule names: logging out needs someone logged in, and
# joining a household needs an account that is not a member yet (a member is sent on to the initiative).
# Co-signing needs a second member of the household that signed.
POSTER_OF = {"accounts.logout": "resident", "households.join": "champion", "commitments.cosign": "housemate"}

# The order within a group. Forms whose success ends what the others need (a removed household, a new
# code, a lost membership or session, another language to check the messages in) come after the rest; a form
# that needs what they ended (a closed household to open again) comes last.
LATER = ("remove", "unlink", "regenerate", "withdraw", "logout", "delete", "cosign", "verify", "move",
         "language")
LAST = ("reopen",)

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
MARKUP = f'">{IMG}{SCRIPT}'  # breaks out of an attribute, then a tag and a script in the text
PAYLOADS = {
    "markup": MARKUP,
    "empty": "",
    "too_long": "x" * 10_000,
    "sql": "' OR 1=1 --",
    "nul": "12\x00ab",
    "rtl": "\u202eedoc\u200b\u200d\u200f 12",
    "emoji": "🏠🔥👩‍👩‍👧",
}
WRONG_TYPE = {"letters": "twaalf"}  # for number, choice and hidden fields: letters where a number or key goes
# A form of up to this many fields gets every payload in every field. A longer one (the 80 parameters of the
# feasibility model, a ranking of 18 conditions) gets the markup in every field and, field after field of one
# kind, the next two of the other payloads in turn, so each payload still reaches several of its fields. This
# keeps the whole run under 2 minutes on SQLite: 1,810 posts to the 63 POST rules instead of about 2,700.
EVERY_PAYLOAD_UP_TO = 8
IN_TURN = 2
RAW_MARKUP = (SCRIPT, IMG)
# A form that comes back keeps what was typed (SECURITY.md), passwords excepted: checked with the payloads
# short enough for any field, in the fields people type in.
KEPT = ("sql", "rtl", "emoji")
TYPED = ("text", "email", "search")


@dataclass
class Control:
    name: str
    kind: str  # "text", "number", "hidden", "choice", "file", "submit", "password", …
    value: str = ""


@dataclass
class Form:
    action: str
    controls: list[Control] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    """The POST forms of a page: their action, their named controls and what the page filled in."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._current: Form | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._current = Form(action=a.get("action") or self.page_url)
                self.forms.append(self._current)
            return
        form, name = self._current, a.get("name")
        if form is None or not name:
            if tag == "option" and form is not None and self._select is not None:
                self._option(a)
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                form.controls.append(Control(name, "choice", a.get("value", "y")))
                if "checked" in a:
                    form.defaults.setdefault(name, a.get("value", "y"))
                return
            if a.get("inputmode") in ("numeric", "decimal"):
                kind = "number"
            form.controls.append(Control(name, kind))
            if kind not in ("submit", "file"):
                form.defaults.setdefault(name, a.get("value", ""))
        elif tag == "button" and a.get("type", "submit") == "submit":
            form.controls.append(Control(name, "submit", a.get("value", "")))
        elif tag == "select":
            form.controls.append(Control(name, "choice"))
            self._select, self._first_option = name, None
        elif tag == "textarea":
            form.controls.append(Control(name, "text"))
            form.defaults[name] = ""
            self._textarea = name

    def _option(self, a: dict[str, str]) -> None:
        assert self._current is not None and self._select is not None
        value = a.get("value", "")
        if self._first_option is None:
            self._first_option = value
            self._current.defaults.setdefault(self._select, value)
        if "selected" in a:
            self._current.defaults[self._select] = value

    def handle_data(self, data: str) -> None:
        if self._current is not None and self._textarea is not None:
            self._current.defaults[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_on(html: str, page_url: str) -> list[Form]:
    parser = _Forms(page_url)
    parser.feed(html)
    return parser.forms


class _Fields(HTMLParser):
    """Per field name: its aria attributes; per element id: its text (to read the linked messages)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[dict[str, str]] = []
        self.texts: dict[str, str] = {}
        self.pieces: dict[str, list[str]] = {}  # per error element: the text of each <span>, one message each
        self.alerts: list[str] = []
        self._open: list[tuple[str, str | None, bool]] = []  # (tag, id, alert)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag in ("input", "select", "textarea", "fieldset") and (a.get("name") or a.get("aria-describedby")):
            self.fields.append(a)
        if tag in ("input", "br", "img", "meta", "link", "hr", "source"):
            return
        element_id = a.get("id")
        if element_id:
            self.texts.setdefault(element_id, "")
        if tag == "span":
            for _tag, open_id, _alert in self._open:
                if open_id and open_id.endswith("-error"):
                    self.pieces.setdefault(open_id, []).append("")
        self._open.append((tag, element_id, a.get("role") in ("alert", "status")))
        if a.get("role") in ("alert", "status"):  # a form-level message or a flashed one
            self.alerts.append("")

    def handle_data(self, data: str) -> None:
        for _tag, element_id, alert in self._open:
            if element_id:
                self.texts[element_id] += data
                if element_id in self.pieces and self._open[-1][0] == "span":
                    self.pieces[element_id][-1] += data
            if alert:
                self.alerts[-1] += data

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                return


@cache
def dutch_messages() -> tuple[re.Pattern[str], ...]:
    """Every Dutch message the app can show: its own nl catalog and WTForms' nl catalog, as patterns in which
    a placeholder (``%(name)s``, ``%(min)d``) stands for any text."""
    texts: list[str] = []
    with (ROOT / "translations" / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        for message in read_po(po):
            strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
            texts.extend(s for s in strings if s)
    wtforms_nl = Translations.load(messages_path(), ["nl"], domain="wtforms")
    for value in wtforms_nl._catalog.values():  # the catalog has no public iterator
        texts.append(value)
    patterns = []
    for text in texts:
        pattern = re.sub(r"%\\\(\w+\\\)[sd]|%[sd]", ".+", re.escape(" ".join(text.split())))
        patterns.append(re.compile(pattern, re.DOTALL))
    return tuple(patterns)


def is_dutch_message(text: str) -> bool:
    text = " ".join(text.split())
    return bool(text) and any(p.fullmatch(text) for p in dutch_messages())


def error_problems(html: str) -> list[str]:
    """What is wrong with how a re-rendered form shows its errors."""
    page = _Fields()
    page.feed(html)
    problems = []
    for attrs in page.fields:
        if attrs.get("aria-invalid") != "true" and "field--error" not in attrs.get("class", ""):
            continue
        name = attrs.get("name") or attrs.get("id", "?")
        linked = [i for i in attrs.get("aria-describedby", "").split() if i.endswith("-error")]
        if not linked:
            problems.append(f"{name}: invalid but no error linked by aria-describedby")
        for element_id in linked:
            if element_id not in page.texts:
                problems.append(f"{name}: aria-describedby names #{element_id}, which is not on the page")
                continue
            # One element may hold several messages, one <span> each; each must be a whole Dutch message.
            messages = page.pieces.get(element_id) or [page.texts[element_id]]
            if not all(is_dutch_message(m) for m in messages):
                problems.append(f"{name}: error is not a Dutch message: {page.texts[element_id].strip()!r}")
    return problems


def shows_a_message(html: str) -> bool:
    page = _Fields()
    page.feed(html)
    return any(a.strip() for a in page.alerts) or any(t.strip() for i, t in page.texts.items()
                                                     if i.endswith("-error"))


def poster_of(endpoint: str) -> str:
    return POSTER_OF.get(endpoint) or POSTER[ROUTES[endpoint]]


def payloads_for(control: Control, turn: int, fields: int) -> dict[str, str]:
    """The payloads for one field: all of them in a short form; in a long one the markup and, for the
    ``turn``-th field of its kind, the next IN_TURN of the others."""
    every = PAYLOADS | (WRONG_TYPE if control.kind in ("number", "choice", "hidden", "submit") else {})
    if fields <= EVERY_PAYLOAD_UP_TO:
        return every
    others = [name for name in every if name != "markup"]
    chosen = [others[(turn * IN_TURN + i) % len(others)] for i in range(IN_TURN)]
    return {name: every[name] for name in ("markup", *chosen)}


@dataclass
class Poster:
    """One visitor posting forms with their CSRF token, logging in again when a post ended the session."""

    app: Flask
    client: FlaskClient
    world: World
    visitor: str
    token: str = ""

    def log_in(self) -> None:
        if self.visitor == "anonymous":
            return
        token = csrf_token_from(self.client.get("/account/login").get_data(as_text=True))
        response = self.client.post("/account/login", data={
            "email": self.world.emails[self.visitor], "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302, f"{self.visitor} could not log in"

    def logged_in(self) -> bool:
        if self.visitor == "anonymous":
            return True
        with self.client.session_transaction() as session:
            return "_user_id" in session

    def page(self, url: str) -> str:
        response = self.client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        html = response.get_data(as_text=True)
        self.token = csrf_token_from(html)
        return html

    def post(self, url: str, data: dict[str, Any]) -> Any:
        if not self.logged_in():
            self.log_in()
            self.page("/")  # any page: the language switch on every page carries the new session's token
        return self.client.post(url, data=data | {"csrf_token": self.token}, content_type="multipart/form-data")


def endpoint_of(app: Flask, action: str) -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _values = adapter.match(urlsplit(action).path, method="POST")
    except HTTPException:
        return None
    return str(endpoint)


def post_rules(app: Flask) -> dict[str, Any]:
    return {rule.endpoint: rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}


def world_urls(street: World) -> dict[str, str]:
    """The world's placeholders, plus a genuine opt-out link (a made-up one answers 404)."""
    resident = db.session.scalars(db.select(User).where(User.email == street.emails["resident"])).one()
    return street.urls | {"/notifications/stop/<token>": f"/notifications/stop/{opt_out_token(resident.id)}"}


def body_of(value: str, control: Control) -> Any:
    if control.kind == "file":  # a "file" that is none of the allowed types, under the payload as its name
        return (io.BytesIO(value.encode("utf-8", "surrogatepass") or b"\x00"), value or "leeg.pdf")
    return value


def check(response: Any, where: str) -> list[str]:
    problems = []
    if response.status_code >= 500:
        return [f"{where}: {response.status_code}"]
    html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
    for markup in RAW_MARKUP:
        if markup in html or markup in response.headers.get("Location", ""):
            problems.append(f"{where}: {markup} comes back unescaped")
    if html and 400 <= response.status_code < 500:
        problems += [f"{where}: {p}" for p in error_problems(html)]
        if response.status_code == 422 and not shows_a_message(html):
            problems.append(f"{where}: 422 without any message")
    return problems


def bad_input_round(app: Flask, client: FlaskClient, street: World, visitor: str) -> Iterator[str]:
    """Post every field of every form this visitor is the poster of; yield what went wrong."""
    urls = world_urls(street)
    rules = post_rules(app)
    mine = sorted((e for e in rules if poster_of(e) == visitor),
                  key=lambda e: (any(w in e for w in LAST), any(w in e for w in LATER), e))
    poster = Poster(app, client, street, visitor)
    poster.log_in()
    for endpoint in mine:
        rule = rules[endpoint]
        page_rule = rule if "GET" in (rule.methods or ()) else next(
            r for r in app.url_map.iter_rules() if r.endpoint == FORM_PAGES[endpoint])
        page_url = _url(page_rule.rule, urls)
        if not poster.logged_in():
            poster.log_in()
        try:
            html = poster.page(page_url)
        except AssertionError as error:
            yield f"{endpoint}: its page {error}"
            continue
        forms = [f for f in forms_on(html, page_url) if endpoint_of(app, f.action) == endpoint]
        if not forms:
            yield f"{endpoint}: no form for it on {page_url}"
            continue
        form = forms[0]
        # A form of one button still takes a request body: the payloads go in under a name it does not know.
        controls = [c for c in form.controls if c.name != "csrf_token"] or [Control("unexpected", "text")]
        unique = list({c.name: c for c in controls}.values())
        turns: dict[str, int] = {}
        for control in unique:
            turns[control.kind] = turn = turns.get(control.kind, -1) + 1
            for label, value in payloads_for(control, turn, len(unique)).items():
                data: dict[str, Any] = {k: v for k, v in form.defaults.items() if k != "csrf_token"}
                data[control.name] = body_of(value, control)
                where = f"{endpoint} {control.name}={label}"
                try:
                    response = poster.post(form.action, data)
                except Exception as error:  # any exception is the finding
                    db.session.rollback()  # the test's session saw it too; go on with the other payloads
                    yield f"{where}: raised {type(error).__name__}: {str(error)[:300]}"
                    continue
                yield from check(response, where)
                if (response.status_code == 422 and label in KEPT and control.kind in TYPED
                        and str(escape(value)) not in response.get_data(as_text=True)):
                    yield f"{where}: the form came back without what was typed"
                response.close()


@pytest.fixture
def street(request: pytest.FixtureRequest, make_user: Any) -> World:
    """The access test's world plus a housemate of the resident who has not co-signed yet."""
    access: World = request.getfixturevalue("world")
    resident = db.session.scalars(db.select(User).where(User.email == access.emails["resident"])).one()
    membership = db.session.scalars(db.select(Membership).where(Membership.user_id == resident.id)).one()
    housemate = make_user(email="huisgenoot@example.nl")
    db.session.add(Membership(household_id=membership.household_id, initiative_id=membership.initiative_id,
                              user_id=housemate.id))
    db.session.commit()
    return World(urls=access.urls, emails=access.emails | {"housemate": housemate.email})


@pytest.fixture
def config(config: dict[str, Any]) -> dict[str, Any]:
    return config | {"RATELIMIT_ENABLED": False}


def test_every_post_route_has_a_page_with_its_form(app: Flask) -> None:
    rules = post_rules(app)
    post_only = {e for e, r in rules.items() if "GET" not in (r.methods or ())}
    assert post_only - set(FORM_PAGES) == set(), "POST-only routes without a page in FORM_PAGES"
    assert set(FORM_PAGES) - post_only == set(), "FORM_PAGES rows for routes that are gone or now have a GET"
    assert {ROUTES[e] for e in rules} <= set(POSTER), "an access rule without a poster in POSTER"
    for endpoint in rules:
        poster = {"housemate": "resident"}.get(poster_of(endpoint), poster_of(endpoint))  # a resident too
        if poster in RULES[ROUTES[endpoint]]:  # the world's own coordinator is not one of the table's visitors
            assert RULES[ROUTES[endpoint]][poster] in ("open", "hidden" if ROUTES[endpoint] == "signed_link"
                                                      else "open"), f"{poster} may not post to {endpoint}"


@pytest.mark.parametrize("visitor", sorted(set(POSTER.values()) | set(POSTER_OF.values())))
def test_bad_input_in_every_form_gets_no_500_no_markup_and_dutch_field_errors(
        app: Flask, client: FlaskClient, street: World, visitor: str) -> None:
    problems = list(bad_input_round(app, client, street, visitor))
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(("text", "dutch"), [
    ("Vul een postcode in zoals 1234 AB.", True),
    ("Dit veld is vereist.", True),
    ("Please enter a postcode like 1234 AB.", False),
    ("This field is required.", False),
    ("", False),
])
def test_the_dutch_check_tells_dutch_from_english(app: Flask, text: str, dutch: bool) -> None:
    assert is_dutch_message(text) is dutch


def test_the_error_check_finds_an_unlinked_or_english_error() -> None:
    linked = ('<input name="postcode" aria-invalid="true" aria-describedby="postcode-error">'
              '<p id="postcode-error"><span>Vul een postcode in zoals 1234 AB.</span></p>')
    assert error_problems(linked) == []
    assert error_problems('<input name="postcode" aria-invalid="true">') != []
    english = linked.replace("Vul een postcode in zoals 1234 AB.", "Enter a postcode like 1234 AB.")
    assert error_problems(english) != []


def test_the_form_reader_finds_fields_defaults_and_actions() -> None:
    html = ('<form method="post" action="/x"><input type="hidden" name="csrf_token" value="t">'
            '<input name="street" value="Lindelaan"><input name="gas" inputmode="decimal">'
            '<select name="home"><option value="a">A</option><option value="b" selected>B</option></select>'
            '<input type="checkbox" name="ok" value="y" checked><textarea name="story">Hoi</textarea>'
            '<button name="action" value="save">Opslaan</button></form><form method="get"><input name="q"></form>')
    (form,) = forms_on(html, "/page")
    assert form.action == "/x"
    assert {c.name: c.kind for c in form.controls} == {
        "csrf_token": "hidden", "street": "text", "gas": "number", "home": "choice", "ok": "choice",
        "story": "text", "action": "submit"}
    assert form.defaults == {"csrf_token": "t", "street": "Lindelaan", "gas": "", "home": "b", "ok": "y",
                             "story": "Hoi"}



def test_a_nul_character_is_dropped_before_anything_is_stored(client: FlaskClient, make_user: Any) -> None:
    """PostgreSQL refuses text with NUL (a 500 on saving); no person types one, so every form drops it."""
    user = make_user()
    token = csrf_token_from(client.get("/account/login").get_data(as_text=True))
    client.post("/account/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    token = csrf_token_from(client.get("/account/data").get_data(as_text=True))
    response = client.post("/account/data/name", data={"name": "Anna\x00 de Vries\x00", "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).name == "Anna de Vries"
