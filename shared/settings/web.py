"""Settings of the inbox, the web pages the API serves under ``/inbox`` (``api/web``)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator

from shared.settings.auth import Section

# 32 bytes of randomness, as text: what `secrets.token_urlsafe(32)` makes.
MIN_SECRET_CHARS = 32


class WebSettings(Section):
    enabled: bool = Field(default=True, description="Serve the inbox pages under /inbox.")
    session_secret: SecretStr | None = Field(
        default=None,
        description="Signs the inbox's session cookies. Unset: one random secret is made once "
        "and kept in the broker (Redis/Valkey), so every API process signs alike.",
    )
    session_max_age_s: int = Field(
        default=12 * 3600,
        ge=60,
        le=30 * 86400,
        description="A session ends this long after its last page view.",
    )
    page_size: int = Field(default=50, ge=10, le=200, description="Inbox rows per page.")
    time_zone: str = Field(
        default="UTC",
        description="The IANA time zone the business works in (Europe/London, "
        "America/New_York): the day a voicemail was received there is the day its caller's "
        '"tomorrow" or "Monday" is counted from, for the dates the inbox shows beside them.',
    )

    @field_validator("session_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        # The message never echoes the value: it is a secret, perhaps pasted by mistake.
        if value is not None and len(value.get_secret_value()) < MIN_SECRET_CHARS:
            raise ValueError(
                f"web.session_secret must be at least {MIN_SECRET_CHARS} characters "
                "(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return value

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        # Checked at start-up: an unknown zone would otherwise fail every voicemail page.
        name = value.strip()
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"web.time_zone {value!r} is no IANA time zone this machine knows; give one "
                "such as UTC, Europe/London or America/New_York"
            ) from None
        return name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)
