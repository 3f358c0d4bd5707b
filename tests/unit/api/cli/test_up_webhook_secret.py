from __future__ import annotations

from pathlib import Path

import pytest
from standardwebhooks import Webhook

from api.cli import _with_webhook_secret
from api.security import generate_key, key_entry
from shared.settings import Settings


def test_an_open_machine_gets_one_signing_secret_kept_across_restarts(tmp_path: Path) -> None:
    first = _with_webhook_secret(Settings(data_dir=tmp_path))
    again = _with_webhook_secret(Settings(data_dir=tmp_path))

    secrets = first.webhooks.tenant_secrets("default")
    assert len(secrets) == 1
    assert again.webhooks.tenant_secrets("default") == secrets
    assert (tmp_path / "webhook-secret").stat().st_mode & 0o777 == 0o600
    Webhook(secrets[0])  # a secret the reference implementation accepts


def test_configured_secrets_or_api_keys_leave_the_settings_alone(tmp_path: Path) -> None:
    keyed = Settings(data_dir=tmp_path, auth={"keys": [key_entry("acme", generate_key())]})

    assert _with_webhook_secret(keyed).webhooks.secrets == []
    assert not (tmp_path / "webhook-secret").exists()


def test_a_secret_made_by_another_start_at_the_same_moment_is_the_one_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two `voicepipe up` at once on a new data directory both find no secret; the other
    # writes its own first. Before, this one's exclusive create raised FileExistsError.
    (tmp_path / "webhook-secret").write_text("whsec_" + "A" * 32 + "\n")
    monkeypatch.setattr(Path, "exists", lambda _: False)

    made = _with_webhook_secret(Settings(data_dir=tmp_path))

    assert made.webhooks.tenant_secrets("default") == ["whsec_" + "A" * 32]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["webhook-secret"]
