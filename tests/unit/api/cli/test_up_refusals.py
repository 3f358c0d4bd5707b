"""What `voicepipe up` says when its settings cannot make a stack: one line naming the
problem and the setting that fixes it, before anything starts, never a traceback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from click.testing import CliRunner, Result
from redis.backoff import NoBackoff
from redis.retry import Retry

from api.cli import main
from api.cli.ports import PortsTaken, taken_ports
from api.cli.processes import Child, stop_together
from api.cli.stack import Stack
from api.security import generate_key, key_entry
from shared.settings import Settings, reset_settings_cache
from tests.conftest import ValkeyProcess, free_port

NO_RETRY = Retry(NoBackoff(), 0)


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    reset_settings_cache()
    yield
    reset_settings_cache()


def _up(tmp_path: Path, **env: str) -> Result:
    defaults = {
        "VOICEPIPE_DATA_DIR": str(tmp_path / "data"),
        "VOICEPIPE_API__PORT": str(free_port()),
        "VOICEPIPE_FLOWER__PORT": str(free_port()),
        "VOICEPIPE_BROKER__URL": f"redis://127.0.0.1:{free_port()}/0",
    }
    return CliRunner().invoke(main, ["up"], env={**defaults, **env})


def _refused(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.output


def test_a_data_directory_that_cannot_be_made_is_named_with_the_setting_to_change(
    tmp_path: Path,
) -> None:
    (tmp_path / "a-file").write_text("")

    said = _refused(_up(tmp_path, VOICEPIPE_DATA_DIR=str(tmp_path / "a-file" / "data")))

    assert f"cannot use the data directory {tmp_path / 'a-file' / 'data'}: Not a directory" in said
    assert "VOICEPIPE_DATA_DIR" in said


def test_a_check_across_settings_reads_as_the_check_not_as_pydantics_prefixes(
    tmp_path: Path,
) -> None:
    said = _refused(_up(tmp_path, VOICEPIPE_BROKER__VISIBILITY_TIMEOUT_S="5"))

    assert "invalid settings: broker.visibility_timeout_s (5) must be above" in said
    assert "VOICEPIPE_:" not in said
    assert "Value error" not in said


def test_a_misspelled_variable_stops_the_stack_with_the_one_it_meant(tmp_path: Path) -> None:
    said = _refused(_up(tmp_path, VOICEPIPE_STORAGE_BACKEND="local"))

    assert (
        "VOICEPIPE_STORAGE_BACKEND is not a setting (did you mean VOICEPIPE_STORAGE__BACKEND?)"
        in said
    )


def test_two_servers_of_the_stack_on_one_port_are_refused_before_anything_starts(
    tmp_path: Path,
) -> None:
    # Before, the API and Flower raced for the port and `up` waited 90 s for readiness.
    port = str(free_port())

    said = _refused(_up(tmp_path, VOICEPIPE_API__PORT=port, VOICEPIPE_FLOWER__PORT=port))

    assert f"VOICEPIPE_API__PORT and VOICEPIPE_FLOWER__PORT both give port {port}" in said
    assert not (tmp_path / "data" / "logs").exists()


def test_a_port_on_a_host_that_is_no_address_of_this_machine_is_a_refusal() -> None:
    # 192.0.2.0/24 is reserved for documentation: never an address of this machine.
    keys = {"keys": [key_entry("acme", generate_key())]}
    settings = Settings(api={"host": "192.0.2.7", "port": free_port()}, auth=keys)

    with pytest.raises(PortsTaken, match=r"cannot listen on 192\.0\.2\.7:\d+"):
        taken_ports(settings, flower=False)


def test_the_embedded_broker_holds_as_many_databases_as_the_url_needs(tmp_path: Path) -> None:
    # Valkey's default is 16: a URL naming database 40 failed at the first ping.
    high = Settings(data_dir=tmp_path, broker={"url": "redis://127.0.0.1:6399/40"})
    low = Settings(data_dir=tmp_path)

    def databases(settings: Settings) -> str:
        argv = next(c.argv for c in Stack(settings, flower=False)._children() if c.name == "valkey")
        return argv[argv.index("--databases") + 1]

    assert (databases(high), databases(low)) == ("41", "16")


@pytest.mark.parametrize("url", ["redis://h:6379/x", "redis://h:6379/0/1", "redis://h:6379/-1"])
def test_a_broker_url_whose_database_is_no_number_is_a_setting_error(url: str) -> None:
    with pytest.raises(ValueError, match="the database is a number"):
        Settings(broker={"url": url})


@pytest.mark.parametrize(
    "refusal",
    [
        redis.AuthenticationError("WRONGPASS invalid username-password pair"),
        redis.ResponseError("ERR AUTH called without any password configured"),
    ],
)
def test_a_broker_that_refuses_its_url_stops_the_stack_at_once_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refusal: redis.RedisError
) -> None:
    # Before, the message quoted the URL whole, password and all, on the terminal and in
    # whatever keeps `voicepipe up`'s output; and a wrong password (redis-py's
    # AuthenticationError is a ConnectionError) was waited on for the whole start-up
    # timeout, then told as "broker did not start".
    def refuse(_: redis.Redis) -> bool:
        raise refusal

    monkeypatch.setattr(redis.Redis, "ping", refuse)
    url = f"redis://alice:s3cr3t-broker-pw@127.0.0.1:{free_port()}/0"
    stack = Stack(Settings(data_dir=tmp_path, broker={"url": url}), flower=False)

    with pytest.raises(RuntimeError) as stopped:
        stack._wait_broker(timeout_s=5)

    assert "s3cr3t-broker-pw" not in str(stopped.value)
    assert "alice:***@127.0.0.1" in str(stopped.value)
    assert str(refusal) in str(stopped.value)


def test_the_embedded_broker_requires_the_password_its_url_gives(tmp_path: Path) -> None:
    # Before, Valkey ran without one: its default user took any password, so a URL with a
    # password looked protected and anyone who reached the port was let in.
    password = 'pw with "quotes" and \\ and spaces'
    url = f"redis://:{quote(password, safe='')}@127.0.0.1:{free_port()}/0"
    stack = Stack(Settings(data_dir=tmp_path, broker={"url": url}), flower=False)
    stack.logs_dir.mkdir(parents=True)
    valkey = next(c for c in stack._children() if c.name == "valkey")
    stack._spawn(valkey)
    try:
        stack._wait_broker(timeout_s=20)  # the URL's password is let in
        port = stack.settings.broker.port
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(host="127.0.0.1", port=port, retry=NO_RETRY).ping()
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(host="127.0.0.1", port=port, password="another", retry=NO_RETRY).ping()
        assert password not in " ".join(valkey.argv)  # ps shows argv to every user
    finally:
        stop_together([valkey], time.monotonic() + 10)


def test_a_broker_started_on_the_port_at_the_same_moment_by_another_stack_is_refused(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    # Two stacks started at once both pass the port check; the loser's Valkey cannot bind,
    # and before, the other's answered its ping: its workers ran on the other stack's broker
    # (with another data directory) and it said "stack ready".
    stack = Stack(Settings(data_dir=tmp_path, broker={"url": valkey.url}), flower=False)
    stack.logs_dir.mkdir(parents=True)
    ours = next(c for c in stack._children() if c.name == "valkey")
    stack._spawn(ours)
    try:
        with pytest.raises(PortsTaken) as refused:
            stack._wait_broker(timeout_s=20, server=ours)
    finally:
        stop_together([ours], time.monotonic() + 10)

    assert f"port {valkey.port} (broker" in str(refused.value)


def test_an_embedded_broker_that_exits_at_start_stops_the_start_at_once(tmp_path: Path) -> None:
    # Before, nothing restarted it yet (the watcher starts later) and the start waited out
    # its whole timeout, then said only "broker did not start".
    url = f"redis://127.0.0.1:{free_port()}/0"
    stack = Stack(Settings(data_dir=tmp_path, broker={"url": url}), flower=False)
    stack.logs_dir.mkdir(parents=True)
    ours = Child("valkey", ["false"], stack.logs_dir / "valkey.log")
    stack._spawn(ours)

    with pytest.raises(RuntimeError, match=r"the broker exited with 1; see .*valkey\.log"):
        stack._wait_broker(timeout_s=30, server=ours)
