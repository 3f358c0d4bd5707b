"""The inbox's pages over HTTP itself: byte ranges beyond a recording, forms too large to
read, HEAD, and methods a page does not take."""

from __future__ import annotations

from api.web.headers import CONTENT_SECURITY_POLICY
from tests.unit.api.web.conftest import Site, csrf_of, voicemail


def test_a_range_beyond_the_recording_is_a_416_however_long_its_number(site: Site) -> None:
    job = voicemail()
    site.storage.put(job.input.key, b"RIFF" * 256, "audio/wav")
    site.add(job)
    site.sign_in()

    for first in ("1024", "9" * 5000):
        answer = site.client.get(
            f"/inbox/jobs/{job.id}/audio", headers={"Range": f"bytes={first}-"}
        )

        assert answer.status_code == 416
        assert answer.headers["content-range"] == "bytes */1024"


def test_a_review_form_too_large_to_read_is_an_inbox_page_saying_what_to_shorten(
    site: Site,
) -> None:
    job = site.add(voicemail())
    site.sign_in()
    token = csrf_of(site.client.get(f"/inbox/jobs/{job.id}").text)

    # Over Starlette's 1 MB a field: it refuses to read the form at all.
    answer = site.client.post(
        f"/inbox/jobs/{job.id}/review", data={"csrf": token, "transcript": "w" * 1_100_000}
    )

    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "at most 20,000 characters" in answer.text
    assert "field &#39;file&#39;" not in answer.text


def test_head_answers_every_inbox_page_as_its_get_without_the_body(site: Site) -> None:
    job = voicemail()
    site.storage.put(job.input.key, b"RIFF" * 256, "audio/wav")
    site.add(job)
    assert site.client.head("/inbox", follow_redirects=False).status_code == 303
    site.sign_in()

    for path in ("/inbox", f"/inbox/jobs/{job.id}", f"/inbox/jobs/{job.id}/audio"):
        head = site.client.head(path)
        got = site.client.get(path)

        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["content-length"] == got.headers["content-length"]
        assert head.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert site.client.head("/inbox/jobs/job_nope").status_code == 404


def test_a_page_asked_for_with_a_method_it_does_not_take_is_a_405_page_naming_those_it_does(
    site: Site,
) -> None:
    job = site.add(voicemail())
    site.sign_in()

    answers = {
        "PUT /inbox": site.client.put("/inbox"),
        "DELETE job": site.client.delete(f"/inbox/jobs/{job.id}"),
        "POST job": site.client.post(f"/inbox/jobs/{job.id}"),
        "GET review": site.client.get(f"/inbox/jobs/{job.id}/review"),
        "OPTIONS audio": site.client.options(f"/inbox/jobs/{job.id}/audio"),
    }

    for name, answer in answers.items():
        assert answer.status_code == 405, name
        assert answer.headers["content-type"].startswith("text/html"), name
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, name
    assert answers["DELETE job"].headers["allow"] == "GET"
    assert f"/inbox/jobs/{job.id} does not answer DELETE" in answers["DELETE job"].text
    assert answers["GET review"].headers["allow"] == "POST"
    assert "use the button on that page" in answers["GET review"].text
    assert site.client.put("/inbox/no/such/page").status_code == 404
