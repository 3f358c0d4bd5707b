from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.deps import TenantDep
from api.errors import ApiError, install_error_handlers
from api.security import (
    authenticate,
    generate_key,
    hash_key,
    key_entry,
    presented_keys,
    tenant_for,
)
from shared.settings import Settings

ACME_KEY = "vp_" + "a" * 43
GLOBEX_KEY = "vp_" + "b" * 43
KEYS = [key_entry("acme", ACME_KEY), key_entry("globex", GLOBEX_KEY)]


def _client(settings: Settings) -> TestClient:
    app = FastAPI()
    app.state.services = SimpleNamespace(settings=settings)
    install_error_handlers(app)

    @app.get("/v1/whoami")
    async def whoami(tenant: TenantDep) -> dict[str, str]:
        return {"tenant": tenant}

    return TestClient(app)


def test_a_new_key_is_vp_and_43_urlsafe_characters_and_never_repeats() -> None:
    keys = {generate_key() for _ in range(100)}

    assert len(keys) == 100
    for key in keys:
        assert key.startswith("vp_")
        assert len(key) == 46
        assert set(key[3:]) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )


def test_the_stored_entry_is_the_tenant_and_the_sha256_of_the_key() -> None:
    key = generate_key()

    assert hash_key(key) == hashlib.sha256(key.encode()).hexdigest()
    assert key_entry("acme", key) == f"acme:{hash_key(key)}"
    assert key not in key_entry("acme", key)


def test_an_entry_for_an_invalid_tenant_name_is_refused() -> None:
    with pytest.raises(ValueError, match="tenant must match"):
        key_entry("Acme Corp", generate_key())


def test_each_configured_key_resolves_to_its_own_tenant() -> None:
    settings = Settings(auth={"keys": KEYS})

    assert tenant_for(ACME_KEY, settings) == "acme"
    assert tenant_for(GLOBEX_KEY, settings) == "globex"


def test_unknown_and_malformed_keys_resolve_to_no_tenant() -> None:
    settings = Settings(auth={"keys": KEYS})

    assert tenant_for("vp_" + "c" * 43, settings) is None
    assert tenant_for(ACME_KEY[:-1], settings) is None
    assert tenant_for(hash_key(ACME_KEY), settings) is None
    assert tenant_for("", settings) is None


def test_the_keys_are_read_from_either_header_each_once() -> None:
    assert presented_keys("vp_bearer", None) == ["vp_bearer"]
    assert presented_keys("vp_same", " vp_same ") == ["vp_same"]
    assert presented_keys(None, " vp_header ") == ["vp_header"]
    assert presented_keys("vp_a", "vp_b") == ["vp_a", "vp_b"]
    assert presented_keys("  ", None) == []
    assert presented_keys(None, None) == []


def test_the_default_settings_are_open_access_on_loopback() -> None:
    settings = Settings()

    assert settings.api.host == "127.0.0.1"
    assert settings.auth.enabled
    assert settings.auth.keys == []
    assert settings.auth.open_access


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.1.2.3", "api.example.com"])
def test_a_non_loopback_host_without_keys_fails_at_start_up(host: str) -> None:
    with pytest.raises(ValidationError, match="set VOICEPIPE_AUTH__KEYS or bind to loopback"):
        Settings(api={"host": host})


def test_a_non_loopback_host_with_keys_is_accepted_and_requires_them() -> None:
    settings = Settings(api={"host": "0.0.0.0"}, auth={"keys": KEYS})

    assert not settings.auth.open_access


def test_disabling_auth_on_a_non_loopback_host_fails_even_with_keys() -> None:
    with pytest.raises(ValidationError, match=r"auth.enabled=false is only allowed .* loopback"):
        Settings(api={"host": "0.0.0.0"}, auth={"enabled": False, "keys": KEYS})


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_disabling_auth_is_allowed_on_loopback_hosts(host: str) -> None:
    settings = Settings(api={"host": host}, auth={"enabled": False, "keys": KEYS})

    assert settings.auth.open_access


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("acme", "must be '<tenant>:<sha256"),
        ("Acme:" + "0" * 64, "must be '<tenant>:<sha256"),
        ("-acme:" + "0" * 64, "must be '<tenant>:<sha256"),
        ("a" * 64 + ":" + "0" * 64, "must be '<tenant>:<sha256"),
        ("acme:" + "0" * 63, "must be '<tenant>:<sha256"),
        ("acme:" + "g" * 64, "must be '<tenant>:<sha256"),
        ("acme:" + ACME_KEY, "holds an API key itself"),
    ],
)
def test_malformed_key_entries_are_refused(entry: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        Settings(auth={"keys": [entry]})


def test_a_key_pasted_instead_of_its_hash_is_not_echoed_in_the_error() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(auth={"keys": [f"acme:{ACME_KEY}"]}, anthropic={"api_key": "sk-secret"})

    assert ACME_KEY not in str(caught.value)
    assert "sk-secret" not in str(caught.value)


def test_the_same_key_hash_for_two_tenants_is_refused() -> None:
    digest = hash_key(ACME_KEY)

    with pytest.raises(ValidationError, match="repeats a key hash"):
        Settings(auth={"keys": [f"acme:{digest}", f"globex:{digest}"]})


def test_upper_case_hashes_are_stored_in_lower_case() -> None:
    settings = Settings(auth={"keys": [f"acme:{hash_key(ACME_KEY).upper()}"]})

    assert tenant_for(ACME_KEY, settings) == "acme"


@pytest.mark.parametrize("separator", [",", ", ", " ", "\n"])
def test_keys_come_from_the_environment_separated_by_commas_or_spaces(
    monkeypatch: pytest.MonkeyPatch, separator: str
) -> None:
    monkeypatch.setenv("VOICEPIPE_AUTH__KEYS", separator.join(KEYS))

    assert Settings().auth.keys == KEYS


def test_keys_come_from_the_environment_as_a_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICEPIPE_AUTH__KEYS", '["' + '", "'.join(KEYS) + '"]')

    assert Settings().auth.keys == KEYS


def test_the_client_key_comes_from_the_environment_as_a_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VOICEPIPE_CLIENT__API_KEY", ACME_KEY)

    settings = Settings()

    assert settings.client.api_key is not None
    assert settings.client.api_key.get_secret_value() == ACME_KEY
    assert ACME_KEY not in repr(settings)


def test_a_request_without_a_key_gets_401_missing_api_key_with_a_bearer_challenge() -> None:
    response = _client(Settings(auth={"keys": KEYS})).get("/v1/whoami")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "missing_api_key"
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_request_with_an_unknown_key_gets_401_invalid_api_key() -> None:
    client = _client(Settings(auth={"keys": KEYS}))

    response = client.get("/v1/whoami", headers={"Authorization": f"Bearer vp_{'z' * 43}"})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert "vp_" not in response.text


def test_a_non_bearer_authorization_header_counts_as_no_key() -> None:
    client = _client(Settings(auth={"keys": KEYS}))

    response = client.get("/v1/whoami", headers={"Authorization": f"Basic {ACME_KEY}"})

    assert response.json()["error"]["code"] == "missing_api_key"


@pytest.mark.parametrize(
    ("authorization", "said"),
    [
        (ACME_KEY, "no 'Bearer ' before the key"),
        (f"Token {ACME_KEY}", "scheme is 'Token', not 'Bearer'"),
        ("Basic YWNtZTpzZWNyZXQ=", "scheme is 'Basic', not 'Bearer'"),
        ("Bearer", "'Bearer' but no key"),
    ],
)
def test_an_authorization_header_that_is_not_bearer_is_named_as_the_problem(
    authorization: str, said: str
) -> None:
    # "This API needs a key" to someone who sent one (without "Bearer ", a common slip)
    # sent them looking for a missing key rather than at the header's form.
    client = _client(Settings(auth={"keys": KEYS}))

    response = client.get("/v1/whoami", headers={"Authorization": authorization})

    error = response.json()["error"]
    assert response.status_code == 401
    assert error["code"] == "missing_api_key"
    assert said in error["message"]
    assert "Authorization: Bearer <key>" in error["message"]
    assert ACME_KEY not in response.text
    assert "YWNtZTpzZWNyZXQ" not in response.text


def test_a_key_is_accepted_as_a_bearer_token_or_an_x_api_key_header() -> None:
    client = _client(Settings(auth={"keys": KEYS}))

    by_bearer = client.get("/v1/whoami", headers={"Authorization": f"Bearer {ACME_KEY}"})
    by_header = client.get("/v1/whoami", headers={"X-API-Key": GLOBEX_KEY})

    assert by_bearer.json() == {"tenant": "acme"}
    assert by_header.json() == {"tenant": "globex"}


def test_open_access_serves_everyone_as_tenant_default_whatever_they_send() -> None:
    client = _client(Settings())

    assert client.get("/v1/whoami").json() == {"tenant": "default"}
    assert client.get("/v1/whoami", headers={"X-API-Key": "junk"}).json() == {"tenant": "default"}


def test_every_v1_operation_requires_a_key_and_the_probes_and_docs_do_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.main

    monkeypatch.setattr(api.main, "configure_logging", lambda *_: None)
    settings = Settings(data_dir=tmp_path, auth={"keys": KEYS})
    client = TestClient(api.main.create_app(settings))

    schema = client.get("/openapi.json").json()
    schemes = set(schema["components"]["securitySchemes"])
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            named = {name for requirement in operation.get("security", []) for name in requirement}
            if path.startswith("/v1/"):
                assert named == schemes, f"{method.upper()} {path} is not protected"
                assert client.request(method, path).status_code == 401
            else:
                assert not named, f"{method.upper()} {path} should be public"
    assert client.get("/healthz").status_code == 200
    assert client.get("/docs").status_code == 200


def test_the_keys_of_two_tenants_in_one_request_are_refused_not_one_picked() -> None:
    # Before, the bearer token won silently: a request meant for one tenant ran as another.
    settings = Settings(
        auth={"keys": [key_entry("acme", ACME_KEY), key_entry("globex", GLOBEX_KEY)]}
    )

    with pytest.raises(ApiError) as refused:
        authenticate([ACME_KEY, GLOBEX_KEY], settings)

    assert refused.value.status_code == 400
    assert refused.value.code == "conflicting_api_keys"


def test_two_keys_are_a_tenant_only_if_both_are_valid_and_its_own() -> None:
    other_acme = "vp_" + "c" * 43
    keys = [
        key_entry("acme", ACME_KEY),
        key_entry("acme", other_acme),
        key_entry("globex", GLOBEX_KEY),
    ]
    settings = Settings(auth={"keys": keys})

    assert authenticate([ACME_KEY, other_acme], settings) == "acme"
    with pytest.raises(ApiError) as refused:
        authenticate([ACME_KEY, "vp_" + "z" * 43], settings)
    assert refused.value.code == "invalid_api_key"
