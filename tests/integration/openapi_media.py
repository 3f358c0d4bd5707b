"""Schemathesis hooks (``SCHEMATHESIS_HOOKS``) for what a schema cannot say about a form.

- What a valid recording is, per media type. The API's document declares the audio types its
  ``file`` parts take (``encoding``), but no schema can say what makes bytes a decodable
  recording: registered here, schemathesis sends a real one-second recording of each
  declared type where data should be valid, and arbitrary bytes where it should not.
- That a multipart text field has no JSON type. A "negative" case that changes a text
  field's type to a number, boolean or null sends that value's text, which is a valid string:
  schemathesis re-reads forms as sent to see this, but not forms with a file part, so such
  cases are dropped here rather than reported as accepted invalid data.
"""

from __future__ import annotations

import schemathesis
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.core.mutations import OperatorKind
from schemathesis.core.parameters import ParameterLocation

from shared.audio import MEDIA_TYPES
from tests.audio_factory import ALL_FORMATS, encode

for fmt in ALL_FORMATS:
    clips = [encode(fmt, 1.0, seed=seed) for seed in range(2)]
    schemathesis.openapi.media_type(MEDIA_TYPES[fmt], st.sampled_from(clips))

_TEXT_AS_SENT = {"number", "integer", "boolean", "null"}


@schemathesis.hook
def filter_case(context: schemathesis.HookContext, case: Case) -> bool:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_negative:
        return True
    if not (case.media_type or "").startswith("multipart/"):
        return True
    mutations = getattr(meta.phase.data, "mutations", None) or []
    text_retyped = [
        m
        for m in mutations
        if m.parameter_location == ParameterLocation.BODY
        and m.operator == OperatorKind.CHANGE_TYPE
        and m.original_value == "string"
        and m.new_value in _TEXT_AS_SENT
    ]
    return not mutations or len(text_retyped) != len(mutations)
