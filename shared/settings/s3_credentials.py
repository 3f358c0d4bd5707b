"""An S3 location's key pair (the job storage's, the import location's), read one way for both.

boto3 takes a key pair given whole, or none (its own chain: the environment, a profile, an
instance or pod role); given half, it stops with "Partial credentials found in explicit". An
empty variable (``KEY=`` in a compose file, a Helm value left blank) means unset, as the
import location's secret was already read: passed on, an empty key is a wrong key that a
real S3 refuses on every request, or half a pair. Half a pair on the S3 backend is refused
with the other setting errors at start-up, naming both variables (on the local backend the
pair is not used, and is left alone). So is an empty bucket name, which the S3 backend
cannot use at all, and one outside S3's naming rules, which S3 refuses.
"""

from __future__ import annotations

import re
import string
from typing import ClassVar, Literal, Self

from pydantic import BaseModel, SecretStr, field_validator, model_validator

_BUCKET_CHARACTERS = frozenset(string.ascii_lowercase + string.digits + ".-")

_BUCKET_RULES = (
    "3-63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit, "
    "not an IP address"
)
_IP_ADDRESS = re.compile(r"\d+\.\d+\.\d+\.\d+")


def bucket_name_problem(name: str) -> str | None:
    """What makes ``name`` a bucket name S3 refuses (its general-purpose bucket naming
    rules), or None."""
    if not 3 <= len(name) <= 63:
        return f"it is {len(name)} characters long"
    odd = [repr(c) for c in dict.fromkeys(name) if c not in _BUCKET_CHARACTERS]
    if odd:
        return f"{', '.join(odd)} cannot be in one"
    if not (name[0].isalnum() and name[-1].isalnum()):
        return "it must start and end with a letter or digit"
    if ".." in name:
        return "it holds two dots in a row"
    if _IP_ADDRESS.fullmatch(name):
        return "it is written as an IP address"
    return None


class S3KeyPair(BaseModel):
    # The section's name in messages (e.g. "storage"), set by the section.
    section: ClassVar[str]

    # Declared here for the check below to read; each section declares it again where its
    # own fields stand, so a section reads whole (pydantic keeps the section's, the same).
    backend: Literal["local", "s3"] = "local"
    s3_bucket: str = ""
    s3_access_key_id: str | None = None
    # A secret: out of every repr and setting error, and replaced in messages by
    # Settings.without_secrets.
    s3_secret_access_key: SecretStr | None = None

    @field_validator("s3_access_key_id", "s3_secret_access_key", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @model_validator(mode="after")
    def _a_bucket_named(self) -> Self:
        # boto3 refuses "" in every call ('Invalid bucket name ""'), and S3 a name outside its
        # rules, far from the variable: a compose file's blank default (${BUCKET:-}) or a
        # name with capitals reached the first upload or listing.
        if self.backend != "s3":
            return self
        variable = f"VOICEPIPE_{self.section.upper()}__S3_BUCKET"
        if not self.s3_bucket.strip():
            raise ValueError(
                f"{variable} is empty: give the name of the bucket to use ({_BUCKET_RULES}), "
                "or use the local backend"
            )
        wrong = bucket_name_problem(self.s3_bucket)
        if wrong is not None:
            raise ValueError(
                f"{variable} {self.s3_bucket!r} is not a bucket name S3 takes: {wrong} "
                f"(a bucket name is {_BUCKET_RULES})"
            )
        return self

    @model_validator(mode="after")
    def _whole_pair_or_none(self) -> Self:
        half = (self.s3_access_key_id is None) != (self.s3_secret_access_key is None)
        if half and self.backend == "s3":
            given, missing = (
                ("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")
                if self.s3_secret_access_key is None
                else ("S3_SECRET_ACCESS_KEY", "S3_ACCESS_KEY_ID")
            )
            prefix = f"VOICEPIPE_{self.section.upper()}__"
            raise ValueError(
                f"{prefix}{given} is set without {prefix}{missing}: set both, or neither "
                "to use boto3's own credentials (environment, profile, instance role)"
            )
        return self

    def secret_key(self) -> str | None:
        """The secret key in clear, for the S3 client alone."""
        secret = self.s3_secret_access_key
        return secret.get_secret_value() if secret is not None else None
