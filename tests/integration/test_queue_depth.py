"""Queue depth as the broker holds it: every priority sub-list, and the unacked hash."""

from __future__ import annotations

import json

import pytest

from shared.queue_depth import priority_lists, queue_depths
from shared.redis_keys import connect
from tests.conftest import ValkeyProcess

pytestmark = pytest.mark.integration


def test_waiting_counts_every_priority_sub_list_and_unacked_counts_by_routing_key(
    valkey: ValkeyProcess,
) -> None:
    client = connect(valkey.url)
    plain, *sub_lists = priority_lists("stt")
    client.lpush(plain, "m1", "m2")
    for name in sub_lists:
        client.lpush(name, "m")
    client.hset("unacked", "tag-1", json.dumps([{"body": "..."}, "", "llm"]))
    client.hset("unacked", "tag-2", json.dumps([{"body": "..."}, "", "llm"]))
    client.hset("unacked", "tag-3", json.dumps([{"body": "..."}, "", "stt"]))

    depths = queue_depths(client, ["stt", "llm", "tts"])

    assert (depths["stt"].waiting, depths["stt"].unacked) == (2 + len(sub_lists), 1)
    assert (depths["llm"].waiting, depths["llm"].unacked) == (0, 2)
    assert (depths["tts"].waiting, depths["tts"].unacked) == (0, 0)
    assert len(sub_lists) == 3  # kombu's priority steps 3, 6 and 9
