"""Run one vendor fake in the foreground: ``python -m tests.fakes VENDOR [options]``.

VENDOR is ``openai``, ``anthropic``, ``elevenlabs`` or ``google``. Every vendor takes
``--host`` (127.0.0.1), ``--port`` (the vendor's default below), ``--failure-rate`` and
``--seed``; ``python -m tests.fakes VENDOR --help`` lists the vendor's own options. E.g.
``python -m tests.fakes anthropic --port 9001 --failure-rate 0.3``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tests.fakes import anthropic, elevenlabs
from tests.fakes.anthropic import AnthropicFake
from tests.fakes.elevenlabs import ElevenLabsFake
from tests.fakes.google_tts import GoogleTtsFake
from tests.fakes.openai import OpenAIFake
from tests.fakes.server import FakeServer, serve_forever


@dataclass(frozen=True)
class Vendor:
    description: str
    port: int
    options: Callable[[argparse.ArgumentParser], None]
    build: Callable[[argparse.Namespace], FakeServer]


def _openai_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api-key", default="sk-test")
    parser.add_argument("--transcript-text", default=None)
    parser.add_argument("--invented-text", default=None, help="words invented over music after it")
    parser.add_argument("--speech", choices=("piper", "tone"), default="piper")


def _openai(args: argparse.Namespace) -> FakeServer:
    return OpenAIFake(
        api_key=args.api_key,
        transcript_text=args.transcript_text,
        invented_text=args.invented_text,
        speech=args.speech,
        failure_rate=args.failure_rate,
        seed=args.seed,
    )


def _anthropic_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api-key", default=anthropic.API_KEY)
    parser.add_argument("--accept-audio", action="store_true", help="act as an audio gateway")


def _anthropic(args: argparse.Namespace) -> FakeServer:
    return AnthropicFake(
        api_key=args.api_key,
        accept_audio=args.accept_audio,
        failure_rate=args.failure_rate,
        seed=args.seed,
    )


def _elevenlabs_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api-key", default=elevenlabs.API_KEY)


def _elevenlabs(args: argparse.Namespace) -> FakeServer:
    return ElevenLabsFake(api_key=args.api_key, failure_rate=args.failure_rate, seed=args.seed)


def _no_options(parser: argparse.ArgumentParser) -> None:
    pass


def _google(args: argparse.Namespace) -> FakeServer:
    return GoogleTtsFake(failure_rate=args.failure_rate, seed=args.seed)


VENDORS: dict[str, Vendor] = {
    "openai": Vendor("A fake OpenAI audio API.", 8011, _openai_options, _openai),
    "anthropic": Vendor("A fake Anthropic Messages API.", 8701, _anthropic_options, _anthropic),
    "elevenlabs": Vendor(
        "A fake ElevenLabs text-to-speech API.", 8124, _elevenlabs_options, _elevenlabs
    ),
    "google": Vendor("A fake Google Cloud Text-to-Speech REST API.", 8125, _no_options, _google),
}


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="python -m tests.fakes", description="Serve one vendor fake in the foreground."
    )
    vendors = main_parser.add_subparsers(dest="vendor", metavar="VENDOR", required=True)
    for name, vendor in VENDORS.items():
        sub = vendors.add_parser(name, help=vendor.description, description=vendor.description)
        sub.add_argument("--host", default="127.0.0.1")
        sub.add_argument("--port", type=int, default=vendor.port)
        sub.add_argument("--failure-rate", type=float, default=0.0)
        sub.add_argument("--seed", type=int, default=0)
        vendor.options(sub)
    return main_parser


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    serve_forever(VENDORS[args.vendor].build(args), args.port, args.host)


if __name__ == "__main__":
    main()
