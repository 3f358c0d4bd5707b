"""The S3 backend, through boto3 over real HTTP, against moto's S3 server."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from shared.settings import Settings
from shared.settings.bulk import ImportSettings
from shared.storage import S3Storage
from tests.conftest import free_port
from tests.storage_contract import CHECKS
from workers.import_refusals import import_refusal

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _storage(endpoint: str, bucket: str) -> S3Storage:
    return S3Storage(
        bucket,
        endpoint_url=endpoint,
        access_key_id="test",
        secret_access_key="test",
        create_bucket=True,
    )


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__.removeprefix("check_"))
def test_s3_storage_meets_the_storage_contract(
    s3_endpoint: str, check: Callable[[S3Storage], None], request: pytest.FixtureRequest
) -> None:
    bucket = "vp-" + request.node.callspec.id.replace("_", "-")[:50]
    check(_storage(s3_endpoint, bucket))


def test_s3_storage_stores_the_content_type(s3_endpoint: str) -> None:
    storage = _storage(s3_endpoint, "vp-content-type")
    storage.put("t/jobs/a/reply.mp3", b"ID3...", "audio/mpeg")

    head = storage.client.head_object(Bucket="vp-content-type", Key="t/jobs/a/reply.mp3")
    assert head["ContentType"] == "audio/mpeg"


def test_s3_storage_lists_past_one_page_of_keys(s3_endpoint: str) -> None:
    storage = _storage(s3_endpoint, "vp-many-keys")
    for i in range(1005):
        storage.put(f"t/k/{i:05d}", b".")

    assert len(storage.list("t/k/")) == 1005


def test_s3_ping_fails_for_a_missing_bucket(s3_endpoint: str) -> None:
    storage = S3Storage(
        "vp-never-created", endpoint_url=s3_endpoint, access_key_id="test", secret_access_key="test"
    )

    with pytest.raises(Exception, match=r"404|Not Found"):
        storage.ping()


def test_an_import_bucket_that_does_not_exist_is_a_refusal_naming_the_setting_not_an_outage(
    s3_endpoint: str,
) -> None:
    storage = S3Storage(
        "vp-imports-never-made",
        endpoint_url=s3_endpoint,
        access_key_id="test",
        secret_access_key="test",
    )
    settings = Settings(imports=ImportSettings(backend="s3", s3_bucket="vp-imports-never-made"))
    reads: list[Callable[[], object]] = [
        lambda: storage.get("default/mail/a b+c.wav"),
        lambda: storage.list_page("default/mail/", "", 1000),
    ]
    for read in reads:
        with pytest.raises(ClientError) as caught:
            read()
        refusal = import_refusal(settings, caught.value, "prefix 'mail/'")
        assert refusal is not None
        assert "NoSuchBucket" in refusal.message
        assert "VOICEPIPE_IMPORTS__S3_BUCKET" in refusal.message


def test_s3_lists_folder_markers_among_a_prefix_s_objects(s3_endpoint: str) -> None:
    # Why a prefix batch's listing skips keys ending in "/" page by page (workers/ingest.py).
    storage = _storage(s3_endpoint, "vp-folder-markers")
    for key in ("t/mail/", "t/mail/a.wav", "t/mail/day 2/", "t/mail/day 2/b+c.wav"):
        # A console's "create folder" writes an empty object named so (put refuses the name).
        storage.client.put_object(Bucket="vp-folder-markers", Key=key, Body=b"")

    assert storage.list_page("t/mail/", "", 1000) == [
        "t/mail/",
        "t/mail/a.wav",
        "t/mail/day 2/",
        "t/mail/day 2/b+c.wav",
    ]
