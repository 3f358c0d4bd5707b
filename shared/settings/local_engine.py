"""Settings of the offline engines: Piper's voice, the offline Whisper and Moonshine, and the
region callback numbers without a country code are read in.

Part of the one ``Settings`` object (``shared.settings``); kept apart only to keep files short.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from shared.settings.auth import Section


class LocalEngineSettings(Section):
    # Deterministic output: no sampling noise in the offline voice.
    piper_noise_scale: float = 0.0
    piper_noise_w_scale: float = 0.0
    piper_length_scale: float = Field(
        default=1.0, gt=0, description="Piper's speaking pace: above 1 slower, below 1 faster."
    )
    default_region: str = Field(
        default="US", description="Country assumed for callback numbers without a country code."
    )
    whisper_beam_size: int = Field(
        default=5, ge=1, le=10, description="Beam width of the offline Whisper engine."
    )
    whisper_prompt: str | None = Field(
        default=None, description="Text the offline Whisper engine reads as preceding speech."
    )
    rescore_caller_name: bool = Field(
        default=True,
        description="Where a word of the caller's name the offline Whisper engine heard is no "
        "known name, weigh it against the known names it sounds like over the same audio, "
        "and write the one Whisper finds as likely (about 1 s of CPU, only then).",
    )
    second_engine: bool = Field(
        default=True,
        description="Moonshine hears recordings too, as second_engine_hears says (loaded in "
        "the first such job).",
    )
    second_engine_hears: Literal["every_recording", "every_number", "numbers_in_doubt"] = Field(
        default="every_recording",
        description="Which recordings Moonshine hears with second_engine: every one (its "
        "topic, urgency and the caller's name are read where Whisper's words give none, or "
        "a number it heard where Whisper heard none); those where the offline engine heard "
        "any digits of a callback number (a number both hear alike is confirmed, one they "
        "hear differently goes to review); or only those whose number the review would doubt.",
    )

    @field_validator("default_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        # Every callback number without a country code is read in this region: one
        # libphonenumber does not know made each such number unreadable, job after job.
        import phonenumbers

        region = value.strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(
                f"libphonenumber knows no region {value!r}; give a two-letter country code "
                "(ISO 3166-1 alpha-2) such as US, GB, DE or FR"
            )
        return region
