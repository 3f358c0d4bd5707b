"""A keyed stack with two tenants and a webhook receiver, seeded with voicemails, and
Debian's Chromium driven by Playwright (no browser download: the system's binary).

Where Chromium is missing the browser tests are skipped with the reason, except in CI
(`CI=true`), which installs it (.ci/run) and must run them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.cli.stack import Stack
from api.security import generate_key, key_entry
from tests.chromium import chromium
from tests.integration.conftest import WEBHOOK_SECRET, RunningStack, stack_settings, started
from tests.local_http import LocalServer, WebhookReceiver

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / ".artifacts" / "screenshots"
ACME_KEY = generate_key()
GLOBEX_KEY = generate_key()

# A batch of typed voicemails (quick: no transcription), one with markup in it, and one real
# recording for the player.
BATCH_TEXTS = (
    "Hi, this is Maria Lopez. The heating is broken and the house is freezing, it is urgent, "
    "please send someone today. Call me back at four one five, five five five, zero one "
    "zero zero.",
    "Hello, this is Tom Becker about my invoice: I was billed twice for March. Please call "
    "me at four one five, five five five, zero one two three.",
    "Hi, it's Priya. I would like to book an appointment for next week, thanks.",
    "This is Dan Ortiz, please cancel my subscription. My number is two zero two, five five "
    "five, zero one four three.",
)
MARKUP_TEXT = "Hello <script>alert(1)</script> this is Eve, call me at 415 555 0199."
SPOKEN = (
    "Hi, this is Ann from Acme. My order has not arrived yet. Please call me back at four "
    "one five, five five five, zero one five five. Thank you."
)


@dataclass
class Seeded:
    stack: RunningStack
    acme: httpx.Client
    globex: httpx.Client
    receiver: WebhookReceiver
    batch_id: str
    batch_jobs: list[dict[str, Any]]
    markup_job: str
    audio_job: str
    globex_job: str
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return self.stack.settings.api.base_url


def _client(stack: RunningStack, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=stack.settings.api.base_url,
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    )


def wait_for_job(client: httpx.Client, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in {"succeeded", "failed", "canceled"}:
            assert job["status"] == "succeeded", job.get("error")
            return job
        time.sleep(0.2)
    raise TimeoutError(f"job {job_id} did not finish")


def _text_job(client: httpx.Client, text: str, **fields: str) -> str:
    answer = client.post("/v1/jobs", files={"_": (None, "")}, data={"text": text, **fields})
    assert answer.status_code == 202, answer.text
    job_id: str = answer.json()["id"]
    return job_id


# One seeded stack and one browser for the three inbox modules, not one each: a stack, its
# seeding and Chromium took ~20 s a module (the folder: 96 s, shared: 49 s). The modules
# pass in either order on the shared stack, so none relies on a stack fresh for it.
@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    from workers.providers.tts.local import PiperTts

    receiver = WebhookReceiver(WEBHOOK_SECRET)
    settings = stack_settings(
        tmp_path_factory.mktemp("inbox"),
        auth={"keys": [key_entry("acme", ACME_KEY), key_entry("globex", GLOBEX_KEY)]},
        webhooks={"secrets": [f"acme:{WEBHOOK_SECRET}"], "schedule_s": [0, 0.5, 1]},
        fetch={"allow_ranges": ["127.0.0.1/32"]},
    )
    with LocalServer() as server, started(Stack(settings, flower=False)) as stack:
        server.answer = receiver.answer
        acme, globex = _client(stack, ACME_KEY), _client(stack, GLOBEX_KEY)
        hook = f"{server.url}/hook"
        batch = acme.post(
            "/v1/batches", json={"items": [{"text": t} for t in BATCH_TEXTS], "callback_url": hook}
        )
        assert batch.status_code == 202, batch.text
        recording = PiperTts().synthesize(SPOKEN, None, "wav").data
        audio = acme.post("/v1/jobs", files={"file": ("voicemail.wav", recording, "audio/wav")})
        assert audio.status_code == 202, audio.text
        seeded = Seeded(
            stack=stack,
            acme=acme,
            globex=globex,
            receiver=receiver,
            batch_id=batch.json()["id"],
            batch_jobs=[],
            markup_job=_text_job(acme, MARKUP_TEXT),
            audio_job=audio.json()["id"],
            globex_job=_text_job(globex, "Hi, this is Gail from Globex, call me back."),
        )
        seeded.batch_jobs = _batch_jobs(acme, seeded.batch_id)
        for job_id in (seeded.markup_job, seeded.audio_job, seeded.globex_job):
            client = globex if job_id == seeded.globex_job else acme
            seeded.jobs[job_id] = wait_for_job(client, job_id)
        yield seeded
        acme.close()
        globex.close()


def _batch_jobs(client: httpx.Client, batch_id: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        batch = client.get(f"/v1/batches/{batch_id}").json()
        if batch["status"] == "completed":
            jobs: list[dict[str, Any]] = client.get(f"/v1/batches/{batch_id}/jobs").json()["jobs"]
            assert [j["status"] for j in jobs] == ["succeeded"] * len(BATCH_TEXTS), jobs
            return jobs
        time.sleep(0.2)
    raise TimeoutError(f"batch {batch_id} did not complete")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = chromium("for the inbox's browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            # Root in containers; headless plays audio without a click first (the player
            # test presses play through the page's own script).
            args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
        )
        yield launched
        launched.close()


def sign_in(page: Any, base: str, key: str, name: str) -> None:
    page.goto(f"{base}/inbox")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/inbox")


@pytest.fixture(scope="session")
def acme_state(browser: Any, seeded: Seeded) -> dict[str, Any]:
    """A signed-in acme session, signed in once for the test session."""
    context = browser.new_context()
    sign_in(context.new_page(), seeded.base, ACME_KEY, "Ann Reviewer")
    state: dict[str, Any] = context.storage_state()
    context.close()
    return state


@dataclass
class Tab:
    """A page of a fresh browser context, recording what the page's console complained of."""

    page: Any
    problems: list[str]

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@contextmanager
def open_tab(browser: Any, seeded: Seeded, state: dict[str, Any] | None) -> Iterator[Tab]:
    context = browser.new_context(storage_state=state, base_url=seeded.base)
    page = context.new_page()
    tab = Tab(page, [])
    page.on("console", lambda m: tab.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: tab.problems.append(str(e)))
    page.on("dialog", lambda d: (tab.problems.append(f"dialog: {d.message}"), d.dismiss()))
    yield tab
    context.close()
    # Whatever a test looked at, no page may have broken its Content-Security-Policy.
    assert not csp_violations(tab), tab.problems


def csp_violations(tab: Tab) -> list[str]:
    return [p for p in tab.problems if "Content Security Policy" in p or "Refused to" in p]


@pytest.fixture
def acme(browser: Any, seeded: Seeded, acme_state: dict[str, Any]) -> Iterator[Tab]:
    with open_tab(browser, seeded, acme_state) as tab:
        yield tab


@pytest.fixture
def anonymous(browser: Any, seeded: Seeded) -> Iterator[Tab]:
    with open_tab(browser, seeded, None) as tab:
        yield tab
