"""Signing in to the inbox: an API key checked once, the tenant kept in a signed cookie."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.security import key_entry
from api.web.access import safe_next
from api.web.session import COOKIE
from tests.conftest import ValkeyProcess
from tests.unit.api.web.conftest import (
    ACME_KEY,
    GLOBEX_KEY,
    Site,
    csrf_of,
    keyed_settings,
    site_for,
)


def test_without_a_session_a_page_sends_you_to_sign_in_and_back_to_it_after(site: Site) -> None:
    first = site.client.get("/inbox?urgency=high", follow_redirects=False)

    assert first.status_code == 303
    assert first.headers["location"] == "/inbox/sign-in?next=/inbox%3Furgency%3Dhigh"
    form = site.client.get(first.headers["location"])
    assert 'name="next" value="/inbox?urgency=high"' in form.text
    signed = site.client.post(
        "/inbox/sign-in",
        data={
            "csrf": csrf_of(form.text),
            "api_key": ACME_KEY,
            "name": "Ann",
            "next": "/inbox?urgency=high",
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == "/inbox?urgency=high"


def test_a_long_link_followed_signed_out_leads_to_the_sign_in_form_and_back_to_its_page(
    site: Site,
) -> None:
    search = "heating " * 400  # a shared link with a long search: 3,200 characters
    first = site.client.get("/inbox/jobs/job_1", params={"q": search}, follow_redirects=False)

    assert first.headers["location"] == "/inbox/sign-in?next=/inbox/jobs/job_1"
    # A sign-in link made elsewhere with the whole of it: the form, going back to the inbox.
    form = site.client.get("/inbox/sign-in", params={"next": f"/inbox?q={search}"})
    assert form.status_code == 200
    assert 'name="next" value="/inbox"' in form.text


def test_a_review_posted_after_the_session_ended_leads_back_to_its_voicemail_after_sign_in(
    site: Site,
) -> None:
    site.sign_in()
    page = f"{site.client.base_url}/inbox/jobs/job_1?x=1"
    site.client.cookies.clear()  # the session ended while the person typed

    posted = site.client.post(
        "/inbox/jobs/job_1/review",
        data={"csrf": "stale", "caller_name": "Ann"},
        headers={"Referer": page},
        follow_redirects=False,
    )
    foreign = site.client.post(
        "/inbox/jobs/job_1/review",
        data={"csrf": "stale"},
        headers={"Referer": "https://evil.example/x"},
        follow_redirects=False,
    )

    # Not the URL posted to (POST only: a 404 once signed in), but the form's page.
    assert posted.headers["location"] == "/inbox/sign-in?next=/inbox/jobs/job_1%3Fx%3D1"
    assert foreign.headers["location"] == "/inbox/sign-in?next=/inbox"


def test_a_name_of_invisible_characters_is_no_name_and_others_are_kept_printable(
    site: Site,
) -> None:
    form = site.client.get("/inbox/sign-in")
    data = {"csrf": csrf_of(form.text), "api_key": ACME_KEY, "next": "/inbox"}

    # Zero-width spaces, NUL, a right-to-left override: a name that reads as none.
    invisible = site.client.post("/inbox/sign-in", data={**data, "name": "\u200b\x00\u202e"})
    signed = site.client.post(
        "/inbox/sign-in", data={**data, "name": "Ann\u202e nosaJ\x00"}, follow_redirects=False
    )

    assert invisible.status_code == 401
    assert "Give your name" in invisible.text
    assert signed.status_code == 303
    assert "signed in as <strong><bdi>Ann nosaJ</bdi></strong>" in site.client.get("/inbox").text


def test_a_name_keeps_the_joiners_its_script_writes_it_with(site: Site) -> None:
    # "Mahnaz" in Persian is written with a zero-width non-joiner between two letters.
    persian = "\u0645\u0647\u200c\u0646\u0627\u0632"
    site.sign_in(ACME_KEY, name=persian)

    assert f"signed in as <strong><bdi>{persian}</bdi></strong>" in site.client.get("/inbox").text


def test_signing_in_opens_the_tenants_inbox_and_the_cookie_holds_no_key(site: Site) -> None:
    signed = site.sign_in(ACME_KEY, name="Ann Reviewer")

    cookie = site.client.cookies[COOKIE]
    assert ACME_KEY not in cookie
    assert ACME_KEY[3:20] not in cookie
    page = site.client.get("/inbox")
    assert signed.status_code == 303
    assert page.status_code == 200
    assert "Tenant <strong>acme</strong>" in page.text
    assert "Ann Reviewer" in page.text


def test_a_key_pasted_with_spaces_around_it_signs_in_and_stays_signed_in(site: Site) -> None:
    # Before, the key was checked without its spaces but its session named the hash of the
    # key with them, which no configured entry matched: signed in, then sent back to sign in.
    signed = site.sign_in(f"  {ACME_KEY} ")

    page = site.client.get("/inbox", follow_redirects=False)
    assert signed.status_code == 303
    assert page.status_code == 200
    assert "Tenant <strong>acme</strong>" in page.text


def test_a_wrong_key_is_refused_with_a_message_that_does_not_repeat_it(site: Site) -> None:
    wrong = "vp_" + "z" * 43

    answer = site.sign_in(wrong)

    assert answer.status_code == 401
    assert "not valid" in answer.text
    assert wrong not in answer.text
    assert site.client.get("/inbox", follow_redirects=False).status_code == 303


def test_the_session_cookie_is_httponly_and_samesite_lax_and_not_secure_on_loopback(
    site: Site,
) -> None:
    answer = site.sign_in()

    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "path=/inbox" in cookie
    assert "secure" not in cookie


@pytest.mark.parametrize(
    "base_url",
    [
        "http://inbox.example.com",
        # A reverse proxy on the same machine: nginx passes Host 127.0.0.1:8000 by default,
        # and HTTPS in X-Forwarded-Proto, which uvicorn turns into the request's scheme.
        "https://127.0.0.1:8000",
    ],
    ids=["reached by another name", "over https on a loopback name"],
)
def test_the_session_cookie_is_secure_beyond_plain_http_on_this_machine(
    tmp_path: Path, valkey: ValkeyProcess, base_url: str
) -> None:
    elsewhere = site_for(keyed_settings(tmp_path, valkey), base_url=base_url)

    answer = elsewhere.client.get("/inbox/sign-in")

    assert "; secure" in answer.headers["set-cookie"].lower()


def test_over_plain_http_beyond_localhost_the_inbox_says_signing_in_needs_https(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    # The cookie is Secure there: a browser keeps none over http, and every sign-in was
    # refused as a stale form, "reload the page and send it again", for ever.
    remote = site_for(keyed_settings(tmp_path, valkey), base_url="http://inbox.example.com")
    form = remote.client.get("/inbox/sign-in")

    posted = remote.client.post(
        "/inbox/sign-in",
        data={"csrf": csrf_of(form.text), "api_key": ACME_KEY, "name": "Ann", "next": "/inbox"},
    )

    assert "Open it over HTTPS" in form.text
    assert posted.status_code == 403
    assert "Open it over HTTPS" in posted.text
    assert "reload the page" not in posted.text


def test_behind_a_tls_proxy_uvicorn_does_not_trust_the_sign_in_form_warns_of_nothing(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    # An ingress or load balancer on another address: uvicorn reads the scheme from
    # X-Forwarded-Proto only from 127.0.0.1, so the app sees http, but the browser is on
    # HTTPS and keeps the Secure cookie; signing in works.
    remote = site_for(keyed_settings(tmp_path, valkey), base_url="http://inbox.example.com")
    form = remote.client.get("/inbox/sign-in", headers={"X-Forwarded-Proto": "https"})

    assert "Open it over HTTPS" not in form.text
    assert "; secure" in form.headers["set-cookie"].lower()


def test_a_form_sent_without_the_session_cookie_says_cookies_are_needed(site: Site) -> None:
    form = site.client.get("/inbox/sign-in")
    site.client.cookies.clear()  # blocked for the site

    posted = site.client.post(
        "/inbox/sign-in",
        data={"csrf": csrf_of(form.text), "api_key": ACME_KEY, "name": "Ann", "next": "/inbox"},
    )

    assert posted.status_code == 403
    assert "Allow cookies for this site" in posted.text


def test_the_sign_in_form_posted_without_its_csrf_token_is_refused(site: Site) -> None:
    site.client.get("/inbox/sign-in")

    answer = site.client.post(
        "/inbox/sign-in", data={"api_key": ACME_KEY, "name": "Ann"}, follow_redirects=False
    )

    assert answer.status_code == 403
    assert "security token" in answer.text
    assert site.client.get("/inbox", follow_redirects=False).status_code == 303


def test_signing_in_gives_a_new_csrf_token_so_one_planted_before_is_worthless(
    site: Site,
) -> None:
    before = csrf_of(site.client.get("/inbox/sign-in").text)

    site.sign_in()

    assert csrf_of(site.client.get("/inbox").text) != before


def test_a_forged_or_foreign_cookie_is_no_session(site: Site) -> None:
    site.sign_in()
    genuine = site.client.cookies[COOKIE]
    site.client.cookies.clear()

    site.client.cookies.set(COOKIE, genuine[:-2] + ("AA" if genuine[-2:] != "AA" else "BB"))

    assert site.client.get("/inbox", follow_redirects=False).status_code == 303


def test_removing_a_key_from_the_settings_signs_its_sessions_out(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    before = site_for(keyed_settings(tmp_path, valkey))
    before.sign_in(GLOBEX_KEY)
    cookie = before.client.cookies[COOKIE]
    # The same deployment restarted with only acme's key configured.
    after = site_for(keyed_settings(tmp_path, valkey, auth={"keys": [key_entry("acme", ACME_KEY)]}))
    after.client.cookies.set(COOKIE, cookie)

    assert before.client.get("/inbox").status_code == 200
    assert after.client.get("/inbox", follow_redirects=False).status_code == 303


def test_signing_out_ends_the_session(site: Site) -> None:
    site.sign_in()
    token = csrf_of(site.client.get("/inbox").text)

    out = site.client.post("/inbox/sign-out", data={"csrf": token}, follow_redirects=False)

    assert out.status_code == 303
    assert site.client.get("/inbox", follow_redirects=False).status_code == 303


def test_a_copy_of_the_cookie_taken_before_signing_out_opens_nothing_after(site: Site) -> None:
    # Before, signing out only replaced this browser's cookie: a copy kept elsewhere (another
    # tab's request, a shared machine) stayed signed in for up to the session's max age.
    site.sign_in()
    kept = site.client.cookies[COOKIE]
    token = csrf_of(site.client.get("/inbox").text)
    site.client.post("/inbox/sign-out", data={"csrf": token}, follow_redirects=False)

    site.client.cookies.set(COOKIE, kept)

    assert site.client.get("/inbox", follow_redirects=False).status_code == 303


def test_with_open_access_the_inbox_opens_without_signing_in(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    open_site = site_for(keyed_settings(tmp_path, valkey, auth={"keys": []}))

    page = open_site.client.get("/inbox")

    assert page.status_code == 200
    assert "Tenant <strong>default</strong>" in page.text


def test_after_signing_in_only_inbox_pages_are_gone_back_to() -> None:
    assert safe_next("/inbox/jobs/job_1?x=1") == "/inbox/jobs/job_1?x=1"
    for elsewhere in ("https://evil.example", "//evil.example", "/inbox//evil", "/\\evil", None,
                      "/v1/jobs", "/inbox/sign-in"):  # fmt: skip
        assert safe_next(elsewhere) == "/inbox"


def test_with_open_access_a_name_given_is_recorded_with_corrections_and_can_be_changed(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    open_site = site_for(keyed_settings(tmp_path, valkey, auth={"keys": []}))
    form = open_site.client.get("/inbox/sign-in")
    assert 'name="api_key"' not in form.text

    open_site.client.post("/inbox/sign-in", data={"csrf": csrf_of(form.text), "name": "Kim"})
    again = open_site.client.get("/inbox/sign-in")

    assert again.status_code == 200
    assert "signed in as <strong><bdi>Kim</bdi></strong>" in open_site.client.get("/inbox").text
