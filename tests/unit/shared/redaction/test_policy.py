from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.redaction_policy import Entity, RedactionPolicy, Substitution

ROOT = Path(__file__).parents[4]


def test_a_default_policy_removes_every_entity_with_labels() -> None:
    policy = RedactionPolicy()
    assert policy.entities == list(Entity)
    assert policy.style is Substitution.LABEL
    assert policy.region == "US"


def test_a_policy_is_read_from_plain_json_values() -> None:
    policy = RedactionPolicy.model_validate({"entities": ["phone_number"], "style": "hash"})
    assert policy.entities == [Entity.PHONE_NUMBER]
    assert policy.style is Substitution.HASH
    assert Entity.PHONE_NUMBER.label == "PHONE_NUMBER"


@pytest.mark.parametrize(
    "body",
    [{"entities": ["shoe_size"]}, {"entities": []}, {"style": "blur"}, {"colour": "red"}],
)
def test_an_unknown_entity_style_or_field_is_rejected(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RedactionPolicy.model_validate(body)


def test_naming_entities_loads_no_detector_phonenumbers_or_numpy() -> None:
    program = (
        "import sys\n"
        "import shared.redaction\n"
        "from shared.redaction_policy import Entity\n"
        "heavy = ('phonenumbers', 'numpy', 'shared.language', 'shared.redaction.detect')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
