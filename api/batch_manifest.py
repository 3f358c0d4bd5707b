"""What ``POST /v1/batches`` reads from a JSON manifest: its items (a URL, an object key or a
typed text each), an import prefix, and the options every job of the batch takes. Checked
here, before anything is recorded; turned into a batch by api.batch_intake."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from api.options import OptionFields
from shared.batches import Metadata
from shared.hidden_characters import is_blank
from shared.storage import PlainKey, check_prefix
from shared.text_input import message_problem


class ManifestItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(
        default=None,
        min_length=1,
        max_length=2048,
        description="An http(s) URL (any other is recorded as the item's rejection).",
    )
    # Checked at intake, not as each item's object_not_found once the batch runs.
    key: PlainKey | None = Field(
        default=None,
        min_length=1,
        max_length=1024,
        description="An object key in the import location.",
    )
    text: str | None = Field(
        default=None,
        min_length=1,
        max_length=1_000_000,
        description="Typed input instead of a recording: a text job, starting at the reply "
        "stage (longer than api.max_text_chars is the item's rejection).",
    )
    filename: str | None = Field(default=None, max_length=255)
    metadata: Metadata = Field(
        default_factory=dict, description="Kept on the job and in every export."
    )

    @field_validator("text")
    @classmethod
    def _typed(cls, value: str | None) -> str | None:
        # At intake, as POST /v1/jobs refuses it, not as the item's rejection much later.
        problem = message_problem(value, "text") if value else None
        if problem:
            raise ValueError(problem)
        if value and is_blank(value):
            # As an empty one is: spaces alone are no message either (POST /v1/jobs: empty_text).
            raise ValueError("the typed message a text job replies to, not blank")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> ManifestItem:
        # Here, with the other checks of the item, not after the options were judged as
        # if the item were a recording, nor as a second round's message.
        given = [f'"{name}"' for name in ("key", "text", "url") if getattr(self, name)]
        if not given:
            raise ValueError(f'{_ONE_OF}, {{"key": "mailbox/vm1.wav"}}; this one has none')
        if len(given) > 1:
            raise ValueError(f"{_ONE_OF}; this one has {', '.join(given[:-1])} and {given[-1]}")
        return self


_ONE_OF = 'an item is an object with one of "key", "url" or "text"'


class PrefixSource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bucket: str | None = Field(default=None, description="Must be the configured import bucket.")
    prefix: str = Field(min_length=1, max_length=1024)

    @field_validator("prefix")
    @classmethod
    def _plain_prefix(cls, value: str) -> str:
        # At intake, not at listing: a batch whose prefix no store can list would stay
        # "expanding" for ever (the ingest worker's listing refused it on every try).
        check_prefix(value)
        return value


class BatchRequest(OptionFields):
    """A JSON batch: a manifest of items, or a prefix whose every object is an item."""

    items: list[ManifestItem] | None = None
    prefix: PrefixSource | None = None
    # A list as every answer shows it (["stt", "llm"]), or the form's text ("stt,llm").
    stages: str | list[str] | None = Field(  # type: ignore[assignment]
        default=None, max_length=32, description="stt, stt,llm or stt,llm,tts (the default)"
    )

    # JSON has types: 0 is not false, nor "7" a number of seconds. (The same options in a
    # form are text, and read leniently.)
    @field_validator("stage_events", "redact_send_original", mode="before")
    @classmethod
    def _stage_events(cls, value: object) -> object:  # replaces the form's reading
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value

    @field_validator("stages", mode="before")
    @classmethod
    def _stage_list(cls, value: object) -> object:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return ",".join(value)
        return value

    @field_validator("delete_after_seconds", mode="before")
    @classmethod
    def _json_integer(cls, value: object) -> object:
        if value is None or (isinstance(value, float) and value.is_integer()):
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be a whole number of seconds")
        return value
