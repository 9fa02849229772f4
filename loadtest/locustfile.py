"""The mixed load of loadtest/run.py: residents, champions and coordinators, as locust users.

Started by ``loadtest/run.py`` (which makes the data and the servers); not meant to be run by hand. The
accounts come from the JSON file in ``LOADTEST_PEOPLE``. Every simulated person sends its own
``X-Forwarded-For`` address (the portal runs with ``PROXY_FIX=1`` as behind nginx), so per-address rate
limits apply per person as in real life, and each resident account is used by one simulated person at a
time. Requests are named by page, not by URL, so the statistics group them.

- Resident (weight 8): logs in, reads the initiative page, saves their ranking as shown, reads their
  estimate and the commitment overview, signs the intent (once; double taps are the concurrency test's
  job), reads the commitment page, and now and then withdraws and signs again (a new commitment).
- Champion (weight 1): the door list, the manage page, one household's flyer PDF.
- Coordinator (weight 1): the comparison, its CSV, the evidence page, the commitments CSV, the dashboard.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
from html.parser import HTMLParser
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

PEOPLE: dict[str, Any] = json.loads(Path(os.environ["LOADTEST_PEOPLE"]).read_text(encoding="utf-8"))
SLUG = PEOPLE["slug"]
_addresses = itertools.count(1)
_free_residents = list(PEOPLE["residents"])
_lock = threading.Lock()


class FormReader(HTMLParser):
    """The fields a browser would post from the form whose action ends with ``action``."""

    def __init__(self, action: str, page_path: str) -> None:
        super().__init__()
        self.action, self.page_path, self.inside, self.fields = action, page_path, False, list[tuple[str, str]]()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            target = values.get("action") or self.page_path  # no action: the form posts to its own page
            self.inside = target.split("?")[0].endswith(self.action)
        elif self.inside and tag in ("input", "button") and values.get("name"):
            kind = values.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in values:
                return
            if tag == "button" or kind == "submit":
                return  # a plain submit: the first button's value is not needed by these forms
            self.fields.append((values["name"], values.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def form_fields(page: str, action: str, page_path: str) -> list[tuple[str, str]]:
    reader = FormReader(action, page_path)
    reader.feed(page)
    return reader.fields


def _secure_cookies_on_the_loopback(_policy: Any, _cookie: Any, _request: Any) -> bool:
    """The portal runs as behind nginx with TLS (X-Forwarded-Proto: https), so its session cookie is Secure;
    locust talks plain HTTP on the loopback, where a cookie jar would hold a Secure cookie back. requests
    builds a fresh jar per request, so the policy is changed for this (locust-only) process."""
    return True


DefaultCookiePolicy.return_ok_secure = _secure_cookies_on_the_loopback  # type: ignore[method-assign]


class Person(HttpUser):
    abstract = True
    wait_time = between(1, 3)  # people read before they tap

    def on_start(self) -> None:
        number = next(_addresses)
        self.client.headers["X-Forwarded-For"] = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
        self.client.headers["User-Agent"] = "warmteburen-loadtest/1.0"
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.email = self.account()
        self.post_form("/account/login", "/account/login", "log in", email=self.email, password=PEOPLE["password"])

    def account(self) -> str:
        raise NotImplementedError

    def post_form(self, path: str, action: str, name: str, **fields: str) -> Any:
        """GET ``path``, then POST its form (to ``action``) as shown, with ``fields`` filled in."""
        page = self.client.get(path, name=f"{name} (form)").text
        data = dict(form_fields(page, action, path)) | fields
        return self.client.post(action, data=data, name=name, allow_redirects=False,
                                headers={"Referer": f"https://{self.host.split('://', 1)[-1]}{path}"})


class Resident(Person):
    weight = 8

    def account(self) -> str:
        with _lock:
            self.index = random.randrange(len(_free_residents))
            return _free_residents.pop(self.index)

    def on_stop(self) -> None:
        with _lock:
            _free_residents.append(self.email)

    @task(4)
    def initiative_page(self) -> None:
        self.client.get(f"/i/{SLUG}", name="initiative page")

    @task(2)
    def ranking(self) -> None:
        self.post_form(f"/i/{SLUG}/conditions", f"/i/{SLUG}/conditions", "ranking save")

    @task(3)
    def estimate(self) -> None:
        self.client.get(f"/i/{SLUG}/estimate", name="estimate")

    @task(2)
    def commit(self) -> None:
        overview = self.client.get(f"/i/{SLUG}/commitment", name="commitment overview").text
        # the "View, change or withdraw" button of the live commitment
        live = re.search(rf'button--secondary" href="(/i/{SLUG}/commitment/\d+)"', overview)
        if live is None:
            sign = f"/i/{SLUG}/commitment/sign/intent"
            response = self.post_form(sign, sign, "sign", typed_name=self.name_of(), consent="y",
                                      min_n=random.choice(["", "", "10"]))
            if response.status_code == 302:
                self.client.get(response.headers["Location"], name="commitment page")
        else:
            self.client.get(live.group(1), name="commitment page")
            if random.random() < 0.15:  # some change their mind
                self.post_form(f"{live.group(1)}/withdraw", f"{live.group(1)}/withdraw", "withdraw")

    def name_of(self) -> str:
        return PEOPLE["names"][self.email]


class Champion(Person):
    weight = 1

    def account(self) -> str:
        return str(PEOPLE["champion"])

    @task(3)
    def doors(self) -> None:
        self.client.get(f"/i/{SLUG}/doors", name="door list")

    @task(2)
    def manage(self) -> None:
        self.client.get(f"/i/{SLUG}/manage", name="manage")

    @task(1)
    def flyer(self) -> None:
        household = random.choice(PEOPLE["households"])
        self.client.get(f"/i/{SLUG}/households/{household}/flyer.pdf", name="flyer PDF")


class Coordinator(Person):
    weight = 1

    def account(self) -> str:
        return str(PEOPLE["coordinator"])

    @task(3)
    def comparison(self) -> None:
        self.client.get(f"/i/{SLUG}/feasibility", name="comparison")

    @task(1)
    def comparison_csv(self) -> None:
        self.client.get(f"/i/{SLUG}/feasibility.csv", name="comparison CSV")

    @task(2)
    def evidence(self) -> None:
        self.client.get(f"/i/{SLUG}/evidence", name="evidence page")

    @task(1)
    def commitments_csv(self) -> None:
        self.client.get(f"/i/{SLUG}/evidence/toezeggingen.csv", name="commitments CSV")

    @task(2)
    def dashboard(self) -> None:
        self.client.get("/coordinator", name="dashboard")
