"""Every HTML page of the portal, with the demo data and the visitor who may see it.

The accessibility sweep (tests/browser/test_every_page.py) and the screenshot gallery
(scripts/screenshots.py, ``make screenshots``) both walk this list. It is not typed out: the pages are
the app's GET routes (``app.url_map``), each opened by a visitor chosen from its access rule in
tests/test_route_access.py, so a new page is in the sweep and the gallery the day it is added. Which
routes are downloads (PDF, CSV, ZIP, images) the server says itself, by its Content-Type.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select
from werkzeug.routing import Rule

from portal import demo
from portal.extensions import db
from portal.initiatives.service import store_photo
from portal.knowledge.service import documents_dir
from portal.models import (
    Commitment,
    CommitmentStatus,
    Condition,
    Document,
    DocumentVersion,
    Household,
    Initiative,
    InitiativeLink,
    Membership,
    Municipality,
    OutboxMessage,
    PaperForm,
    Provider,
    Role,
    RoleGrant,
    User,
)
from portal.notifications.service import opt_out_token
from tests.test_route_access import ROUTES

# Who opens a page, by its access rule (tests/test_route_access.py RULES): the least powerful visitor
# who sees the page in full, so the sweep sees what that person sees.
VISITOR_FOR_RULE = {
    "public": "anonymous",
    "account": "resident",
    "member": "resident",
    "own_membership": "resident",
    "member_or_manager": "resident",
    "household": "resident",
    "manager": "champion",
    "coordinator": "coordinator",
    "workspace": "coordinator",
    "admin": "admin",
    "signed_link": "resident",  # the link is genuine here (see Site.values); it needs no log-in
}
# Pages that a signed-up member of the street never sees: the "sign" form is for a household that has
# not signed yet; "join" is for someone who is not a member of the street yet.
VISITOR_FOR_ENDPOINT = {
    "commitments.sign": "newcomer",
    "households.join": "outsider",
}
# GET routes that are not pages and answer without HTML on purpose (the rest is found by Content-Type).
NOT_PAGES = {
    "main.language": "POST only",
    "main.metrics": "Prometheus text for a scraper with METRICS_TOKEN (404 without it)",
    "main.readyz": "JSON for a deployment's readiness check (503 here: the test database has no migration head)",
}
DEMO_PASSWORD = demo.PASSWORD
# A PDF as small as a valid one gets: the knowledge library checks uploads by their bytes.
_TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass(frozen=True)
class Site:
    """The demo's log-ins per visitor and the values that fill the URL placeholders."""

    emails: dict[str, str]
    values: dict[str, str]


@dataclass(frozen=True)
class PageVisit:
    endpoint: str
    path: str
    visitor: str

    @property
    def name(self) -> str:
        """A file-name-safe name for screenshots: the endpoint, e.g. ``commitments.show``."""
        return self.endpoint


def seed_site(app: Flask) -> Site:
    """The demo (``flask seed-demo``) plus what the demo does not have but some pages need: a provider and a
    document linked to Hofje De Linde, and an e-mail in the development outbox. Commits."""
    with app.app_context():
        demo.seed()
        db.session.flush()
        hofje = db.session.scalars(select(Initiative).where(Initiative.slug == "hofje-de-linde")).one()
        utrecht = db.session.get_one(Municipality, hofje.municipality_id)
        coordinator = _grantee(Role.coordinator, municipality_id=utrecht.id)
        champion = _grantee(Role.champion, initiative_id=hofje.id)
        admin = _grantee(Role.admin)
        provider = Provider(municipality_id=utrecht.id, name="Bodemwarmte Utrecht BV", kind="driller",
                            contact="info@bodemwarmte.example.nl", area="Utrecht en omgeving", note="",
                            created_by_id=coordinator.id)
        document = Document(municipality_id=utrecht.id, title="Model-deelnameovereenkomst", kind="model_contract",
                            created_by_id=coordinator.id)
        db.session.add_all([provider, document])
        db.session.flush()
        stored = "0" * 32 + ".pdf"
        folder = documents_dir()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / stored).write_bytes(_TINY_PDF)
        version = DocumentVersion(document_id=document.id, version=1, file_type="pdf", stored_name=stored,
                                  size_bytes=len(_TINY_PDF), sha256=hashlib.sha256(_TINY_PDF).hexdigest(),
                                  uploaded_by_id=coordinator.id)
        db.session.add(version)
        db.session.flush()
        document_link = InitiativeLink(initiative_id=hofje.id, document_id=document.id, stage="inventory",
                                       linked_by_id=coordinator.id)
        db.session.add_all([document_link, InitiativeLink(initiative_id=hofje.id, provider_id=provider.id,
                                                          stage="inventory", linked_by_id=coordinator.id)])
        message = OutboxMessage(to_address=champion.email, subject="Uw initiatief is bekeken",
                                body_text="Beste Hanneke,\n\nDe gemeente heeft uw initiatief bekeken.",
                                body_html="<p>Beste Hanneke,</p><p>De gemeente heeft uw initiatief bekeken.</p>")
        db.session.add(message)
        db.session.flush()

        # Hofje De Linde's households in street order: the first members signed; one never signed.
        signed = db.session.scalars(
            select(Commitment).join(Household).where(Household.initiative_id == hofje.id,
                                                     Commitment.status == CommitmentStatus.valid,
                                                     Commitment.channel == "online")
            .order_by(Commitment.id)).first()
        if signed is None:  # pragma: no cover - the demo always signs in Hofje De Linde
            raise RuntimeError("the demo has no signed commitment in Hofje De Linde")
        membership = db.session.scalars(select(Membership).where(
            Membership.household_id == signed.household_id, Membership.ended_at.is_(None))
            .order_by(Membership.id)).first()
        assert membership is not None
        resident = db.session.get_one(User, membership.user_id)
        with_commitment = select(Commitment.household_id)
        newcomer_membership = db.session.scalars(select(Membership).where(
            Membership.initiative_id == hofje.id, Membership.ended_at.is_(None),
            Membership.household_id.not_in(with_commitment)).order_by(Membership.id)).first()
        assert newcomer_membership is not None, "the demo has a Hofje De Linde member who did not sign"
        newcomer = db.session.get_one(User, newcomer_membership.user_id)
        members = select(Membership.household_id).where(Membership.ended_at.is_(None))
        unjoined = db.session.scalars(select(Household).where(
            Household.initiative_id == hofje.id, Household.id.not_in(members), Household.id.not_in(with_commitment))
            .order_by(Household.position.desc())).first()
        assert unjoined is not None, "the demo has a Hofje De Linde household that did not join"
        outsider = db.session.scalars(select(User).where(User.email.like("ambassadeur-amersfoort%"))
                                      .order_by(User.id)).first()
        assert outsider is not None
        paper_form = db.session.scalars(select(PaperForm).order_by(PaperForm.id)).first()
        assert paper_form is not None
        # The demo has no street photo and no model contract attached to a text; these downloads do.
        hofje.photo_path = store_photo(demo.grey_png(640, 400))
        signed.text.attachment, signed.text.attachment_name = _TINY_PDF, "modelovereenkomst.pdf"
        condition = db.session.scalars(select(Condition).order_by(Condition.sort_order)).first()
        assert condition is not None
        values = {
            "<slug>": hofje.slug, "/municipalities/<slug>": f"/municipalities/{utrecht.slug}",
            "<code>": unjoined.code or "", "<int:household_id>": str(unjoined.id),
            "<int:membership_id>": str(membership.id), "<int:message_id>": str(message.id),
            "<int:condition_id>": str(condition.id), "<path:filename>": "css/portal.css",
            "<int:version_id>": str(version.id), "<level>": "intent", "<language>": "nl",
            "<int:commitment_id>": str(signed.id), "<verify_code>": signed.verify_code,
            "<int:text_id>": str(signed.text_id), "<int:paper_form_id>": str(paper_form.id),
            # Account links from e-mails: their forms show before the token is checked (on POST).
            "<token>": "a-link-from-an-e-mail",
            "/notifications/stop/<token>": f"/notifications/stop/{opt_out_token(resident.id)}",
        }
        emails = {"resident": resident.email, "newcomer": newcomer.email, "outsider": outsider.email,
                  "champion": champion.email, "coordinator": coordinator.email, "admin": admin.email}
        db.session.commit()
    return Site(emails=emails, values=values)


def _grantee(role: Role, **scope: int) -> User:
    grant = db.session.scalars(select(RoleGrant).filter_by(role=role, **scope).order_by(RoleGrant.id)).first()
    assert grant is not None, f"the demo has no {role}"
    return db.session.get_one(User, grant.user_id)


def url_for_rule(rule: Rule, values: dict[str, str]) -> str:
    path = rule.rule
    for placeholder in sorted(values, key=len, reverse=True):  # longest first: "/municipalities/<slug>"
        path = path.replace(placeholder, values[placeholder])
    assert "<" not in path, f"no demo value for {rule.rule}: add one in seed_site"
    return path


def candidate_pages(app: Flask, site: Site) -> Iterator[PageVisit]:
    """Every GET route with its demo URL and visitor, sorted by path; downloads are sorted out later."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or set()) or rule.endpoint in NOT_PAGES or rule.endpoint == "static":
            continue
        visitor = VISITOR_FOR_ENDPOINT.get(rule.endpoint) or VISITOR_FOR_RULE[ROUTES[rule.endpoint]]
        yield PageVisit(rule.endpoint, url_for_rule(rule, site.values), visitor)


def log_in(context: BrowserContext, base_url: str, email: str) -> None:
    """Log in through the log-in form (CSRF and all), in the context's own page."""
    page = context.new_page()
    page.goto(base_url + "/account/login")
    page.locator("main input[name=email]").fill(email)
    page.locator("main input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form [type=submit]").first.click()
    expect(page).not_to_have_url(f"{base_url}/account/login")
    page.close()


def is_html_page(context: BrowserContext, url: str) -> tuple[bool, str]:
    """(True, "") for a page that answers 200 with HTML; (False, why) for a download or anything else."""
    response = context.request.get(url, max_redirects=0)
    kind = response.headers.get("content-type", "")
    try:
        if response.status == 200 and kind.startswith("text/html"):
            return True, ""
        return False, f"{response.status} {kind}"
    finally:
        response.dispose()


def open_page(page: Page, url: str) -> None:
    """Open the page and wait until its fonts and images are in (screenshots and axe see them)."""
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
