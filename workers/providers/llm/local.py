"""The offline reply provider: deterministic triage and a templated spoken reply."""

from __future__ import annotations

from shared.language.rehearing import other_rehearing_text, rehearing_text, second_engine_text
from shared.models import Reply, Transcript, Usage
from workers.providers.base import LlmProvider, ReplyContext
from workers.redacting import fill_from_tokens
from workers.triage import compose_reply
from workers.triage.emergency import describes_gas_leak, help_already_called
from workers.triage.extract import read_message, summarize
from workers.triage.tables import table_booking


class TriageResponder(LlmProvider):
    """Answers a voicemail without a language model.

    Reads the caller's name, callback number, dates, intent and urgency from the
    transcript with rules tuned for offline recognisers (lower case, no punctuation,
    numbers spelled out) as well as cased cloud transcripts, then fills a short reply
    template. The same transcript always gives the same reply.

    ``context.system_prompt`` and ``context.history`` are ignored: there is no model to
    steer, and a prompt cannot change what fixed rules extract. Usage is reported as
    zero tokens because nothing is metered. Callback numbers are normalised with
    ``context.default_region``.
    """

    name = "local"

    def respond(self, transcript: Transcript, context: ReplyContext) -> Reply:
        region = context.default_region
        reading = read_message(
            transcript.text,
            region,
            rehearing_text(transcript),
            second_engine_text(transcript),
            other_rehearing_text(transcript),
        )
        triage, no_call, for_whom = reading.triage, reading.no_call, reading.for_whom
        emergency = reading.emergency
        if "[" in transcript.text:
            # A redacted transcript: its tokens stand for the name and number it gave, so
            # the summary and the reply are made with them, not from "callback number not
            # given" contradicted by the token the stage would fill in after.
            fill_from_tokens(triage, transcript.text)
            triage.summary = summarize(triage, region, no_call, emergency, for_whom)
        heard = bool(transcript.text.strip())
        # One who has rung the emergency services already is not told to ring them.
        send_away = emergency and not help_already_called(reading.words)
        text = compose_reply(
            triage,
            region,
            heard=heard,
            no_call=no_call,
            emergency=send_away,
            gas=describes_gas_leak(reading.words),
            for_whom=for_whom,
            asked=reading.asked,
            table=table_booking(reading.words),
        )
        return Reply(text=text, provider=self.name, triage=triage, usage=Usage())
