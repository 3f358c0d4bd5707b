"""Settings sections that plugins register, read from the environment like built-in ones.

``Settings`` declares a field per built-in section, so pydantic-settings reads each from
``VOICEPIPE_<SECTION>__<FIELD>``. A plugin's section is not a field (it is registered at
run time), so it is read here with a one-field settings class built for it: the same
prefix, the same nesting rule, the same validation at start-up.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError, create_model
from pydantic_settings import BaseSettings, SettingsConfigDict

# How every section is read from the environment, Settings' own included.
ENVIRONMENT = SettingsConfigDict(
    env_prefix="VOICEPIPE_",
    env_nested_delimiter="__",
    # An error would otherwise print its input: every secret in the environment.
    hide_input_in_errors=True,
)


class _Environment(BaseSettings):
    # Everything else in the environment belongs to Settings, which checks it.
    model_config = SettingsConfigDict(**ENVIRONMENT, extra="ignore")


def read_sections(sections: dict[str, type[BaseModel]]) -> dict[str, BaseModel]:
    fields: dict[str, Any] = {}
    for name, cls in sections.items():
        try:
            fields[name] = (cls, cls())
        except ValidationError:
            fields[name] = (cls, ...)  # no defaults for some field: the environment must say
    model = create_model("PluginSections", __base__=_Environment, **fields)
    values = model()
    return {name: getattr(values, name) for name in sections}
