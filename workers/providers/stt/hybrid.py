"""Verified transcription: two engines, their agreement, and a reconciled text.

Both engines hear the same audio. Their agreement is 1 - WER of the second against the
first; below ``hybrid.reconcile_below`` Claude (text only) merges the two and marks the
words it is unsure of, and below ``hybrid.review_below`` the job is flagged for a person.
Engines that are not configured are skipped and said so: offline, hybrid still runs with
what it has.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from shared.errors import StageFailed, carry_charges, taken_charges
from shared.exception_text import kind, reference
from shared.metered_details import not_called
from shared.models import Billed, Stage, Transcript, Usage
from shared.settings.providers import AnthropicSettings, HybridSettings
from shared.wer import alignment_spans, word_error_rate
from shared.wer_words import normalize
from workers.providers.base import AudioInput, ProviderSource, SttProvider
from workers.providers.errors import ProviderError

log = logging.getLogger("voicepipe.stt.hybrid")
# Claude's answers that say nothing against the transcripts, only that it could not finish.
_KEEP_FIRST_ON = frozenset({"output_truncated", "content_refused"})


class HybridStt(SttProvider):
    name = "hybrid"

    def __init__(
        self, config: HybridSettings, anthropic: AnthropicSettings, *, providers: ProviderSource
    ) -> None:
        self.config = config
        # Only for reconciling disagreements, when its key is set.
        self.anthropic = anthropic
        self.providers = providers

    def _engines(self) -> tuple[list[str], dict[str, str]]:
        usable: list[str] = []
        skipped: dict[str, str] = {}
        for engine in self.config.engines:
            missing = self.providers.missing(Stage.STT, engine)
            if missing:
                skipped[engine] = missing
            else:
                usable.append(engine)
        if not usable:
            usable.append("local")
        return usable, skipped

    def transcribe(self, audio: AudioInput) -> Transcript:
        engines, skipped = self._engines()
        results: dict[str, Transcript] = {}
        failures: dict[str, str] = {}
        # Engines that cannot hear the job's language (the offline ones are English only):
        # not a failure on this recording, and no disagreement measured.
        unheard: dict[str, str] = {}
        broken: list[Exception] = []
        # Tokens an engine was billed for an answer it could not use (Claude refused or cut
        # at max_tokens): charged under its name, as an answering engine's are.
        billed: dict[str, Usage] = {}
        # What a failed engine's run had collected before it failed (Claude's billed refusal,
        # then its fallback failing): already named by engine.
        carried: list[Billed] = []
        retry: StageFailed | None = None
        with ThreadPoolExecutor(max_workers=len(engines)) as pool:
            futures = {name: pool.submit(self._engine(name).transcribe, audio) for name in engines}
            for name, future in futures.items():
                try:
                    results[name] = future.result()
                except StageFailed as exc:
                    if exc.retryable and retry is None:
                        retry = exc  # the whole stage is retried: both run again
                        continue  # its charges and billed tokens go with it as raised
                    carried += [_by(b.engine or name, b) for b in exc.charges]
                    if isinstance(exc, ProviderError) and exc.billed is not None:
                        billed[name] = exc.billed
                    if exc.retryable:
                        continue
                    if exc.code == "unsupported_language":
                        unheard[name] = f"{exc.code}: {exc.message}"
                        continue
                    failures[name] = f"{exc.code}: {exc.message}"
                except Exception as exc:
                    # An engine's runtime breaking (ONNX Runtime, CTranslate2, a plugin's
                    # own bug) is no reason to lose the other's transcript: kept, said and
                    # flagged like a refusal. Both breaking fail the stage as one would have.
                    # Its kind and a reference, never its text (shared.exception_text): the
                    # skip is shown with the transcript and, both failing, on the job's error.
                    ref = reference()
                    log.exception("hybrid engine %s failed unexpectedly (reference %s)", name, ref)
                    # Taken off it: what it was billed (Claude's refusal, then its fallback's
                    # runtime breaking) is charged once, with the others' (below).
                    carried += [_by(b.engine or name, b) for b in taken_charges(exc)]
                    failures[name] = f"internal: {kind(exc)} (reference {ref})"[:500]
                    broken.append(exc)
        if retry is not None:
            # This run's answers are dropped, not what the vendors billed for them.
            heard = {n: t.details["usage"] for n, t in results.items() if "usage" in t.details}
            charged = {**{n: Usage(**u) for n, u in heard.items()}, **billed}
            retry.charges += [*(_by(n, u) for n, u in charged.items()), *carried]
            if results:  # and the audio seconds of those that heard it (Whisper's)
                retry.dropped = {
                    "engines_used": list(results),
                    **_not_called(results),
                    **_fallbacks(results),
                }
            raise retry
        if not results and broken and len(broken) == len(failures):
            # Still the unexpected error it is, with what every engine was billed.
            carry_charges(broken[0], [*(_by(n, u) for n, u in billed.items()), *carried])
            raise broken[0]
        if not results:
            refusals = {**unheard, **failures}
            # No transcript to keep the engines' charges beside: they go with the failure.
            raise StageFailed(
                "all_engines_failed",
                "; ".join(f"{k}: {v}" for k, v in refusals.items()),
                charges=[*(_by(n, u) for n, u in billed.items()), *carried],
            )
        details: dict[str, Any] = {
            "mode": "hybrid",
            "engines_used": list(results),
            "engines_skipped": {**skipped, **unheard, **failures},
            "transcripts": {name: t.text for name, t in results.items()},
            # The ledger charges each engine in engines_used the audio's seconds, save these.
            **_not_called(results),
        }
        # An engine billed by its tokens (Claude hearing the audio): the usage ledger
        # charges them, as it does when Claude is the stage's provider.
        # An engine either answered or failed, so its tokens are counted once.
        spent = {n: t.details["usage"] for n, t in results.items() if "usage" in t.details}
        spent.update({n: u.model_dump() for n, u in billed.items()})
        for charge in carried:
            if charge.input_tokens or charge.output_tokens:
                spent[str(charge.engine)] = _plus(spent.get(str(charge.engine)), charge)
        if spent:
            details["engine_usage"] = spent
        # Billed by the audio or the text (Whisper hearing what Claude refused, its answer
        # then unusable): by that engine and model, as a failed run's stages.stt.billed is.
        by_work = [_work_of(c) for c in carried if c.audio_s or c.characters]
        if by_work:
            details["engine_billed"] = by_work
        # An engine that handed the audio on (Claude refusing it, its fallback hearing it):
        # who heard it, and on which model, for the ledger to charge that engine, not one
        # that was never paid for this recording.
        details.update(_fallbacks(results))
        if len(results) < 2:
            only = next(iter(results.values()))
            details.update(
                engine=next(iter(results)),
                verified=False,
                agreement=None,
                needs_review=bool(failures),
                spans=[],
            )
            if unheard:
                # Verification was not possible, not failed: the review says so as itself
                # (hybrid_unverified), not as a disagreement nobody measured.
                details["unverified_language"] = audio.language
            return only.model_copy(update={"provider": self.name, "details": details})
        return self._verify(*results.values(), details=details)

    def _verify(
        self, first: Transcript, second: Transcript, *, details: dict[str, Any]
    ) -> Transcript:
        hybrid = self.config
        agreement = max(0.0, 1.0 - word_error_rate(first.text, second.text))
        spans = [dict(span) for span in alignment_spans(first.text, second.text)]
        text, uncertain, reconciled_by = first.text, _span_words(spans), None
        unreconciled: str | None = None
        if agreement < hybrid.reconcile_below:
            if self.anthropic.api_key is not None:
                from workers.providers.stt.reconcile import reconcile_transcripts

                try:
                    text, uncertain, spent = reconcile_transcripts(
                        first, second, spans, self.anthropic
                    )
                    reconciled_by = "claude"
                    details["reconcile_usage"] = spent.model_dump()
                except ProviderError as exc:
                    # Claude's answer about this text (cut at max_tokens, refused) is no reason
                    # to lose two transcripts: keep the first for a person to check. Other
                    # failures (a bad key, an outage) fail or retry the stage as usual.
                    if exc.code not in _KEEP_FIRST_ON:
                        raise
                    unreconciled = f"{exc.code}: {exc.message}"
                    if exc.billed is not None:  # billed all the same: the ledger charges it
                        details["reconcile_usage"] = exc.billed.model_dump()
            else:
                log.info("engines disagree (%.2f) but Claude is not configured", agreement)
        if unreconciled is not None:
            details["reconcile_failed"] = unreconciled
        details.update(
            engine="hybrid",
            verified=True,
            agreement=round(agreement, 4),
            spans=spans,
            reconciled=text,
            reconciled_by=reconciled_by,
            uncertain_words=uncertain,
            needs_review=agreement < hybrid.review_below or unreconciled is not None,
        )
        words = first.words if text == first.text else []
        return Transcript(
            text=text,
            language=first.language or second.language,
            provider=self.name,
            duration_s=first.duration_s,
            words=words,
            details=details,
        )

    def _engine(self, name: str) -> SttProvider:
        engine = self.providers.get(Stage.STT, name)
        assert isinstance(engine, SttProvider)
        return engine


def compared_again(details: dict[str, Any]) -> dict[str, Any]:
    """A hybrid transcript's details with its spans and uncertain words worked out again from
    its two transcripts as they now read (redacted). Redaction finds a name or a number in
    a text, not in the lone words of a span: "whitfield" against "whitfeld", "2291" against
    "2297" stayed there, the very pieces that differed. The agreement, a figure, is kept."""
    if details.get("mode") != "hybrid" or "uncertain_words" not in details:
        return details
    texts = [str(details["transcripts"][name]) for name in details["engines_used"]]
    spans = [dict(span) for span in alignment_spans(*texts)]
    if details.get("reconciled_by") is None:
        uncertain = _span_words(spans)
    else:
        # Claude's own list: only the words its (redacted) text still holds.
        kept = set(normalize(str(details.get("reconciled", ""))))
        uncertain = [
            w for w in details["uncertain_words"] if set(normalize(str(w))) <= kept and normalize(w)
        ]
    return {**details, "spans": spans, "uncertain_words": uncertain}


def _span_words(spans: list[dict[str, Any]]) -> list[str]:
    # Without a reconciler, the uncertain words are the first engine's side of each span.
    return [word for span in spans for word in span.get("ref", [])]


def _not_called(results: dict[str, Transcript]) -> dict[str, Any]:
    """The engines that answered without sending the audio to anyone (Whisper given
    silence, itself or standing in for Claude), and why: no vendor billed their seconds."""
    quiet = {n: reason for n, t in results.items() if (reason := not_called(t.details))}
    return {"engines_not_called": quiet} if quiet else {}


def _fallbacks(results: dict[str, Transcript]) -> dict[str, Any]:
    handed = {n: t.details for n, t in results.items() if "fallback" in t.details}
    return {"engine_fallbacks": {n: _heard_by(d) for n, d in handed.items()}} if handed else {}


def _heard_by(details: dict[str, Any]) -> dict[str, Any]:
    inner = details.get("engine_details")
    model = inner.get("model") if isinstance(inner, dict) else None
    return {"to": details.get("engine"), "model": model}


def _by(engine: str, spent: Usage) -> Billed:
    """What ``engine`` was billed, charged under its name as its transcript's usage is."""
    return Billed.of(spent).model_copy(update={"engine": engine})


def _plus(recorded: dict[str, Any] | None, charge: Billed) -> dict[str, Any]:
    """An engine's recorded tokens with ``charge``'s added (on the recorded model)."""
    if recorded is None:
        return Usage.model_validate(charge.model_dump(include=set(Usage.model_fields))).model_dump()
    return {
        **recorded,
        "input_tokens": int(recorded.get("input_tokens") or 0) + charge.input_tokens,
        "output_tokens": int(recorded.get("output_tokens") or 0) + charge.output_tokens,
    }


def _work_of(charge: Billed) -> dict[str, Any]:
    """What ``charge`` billed besides tokens (those are in engine_usage), by whom."""
    return charge.model_dump(include={"engine", "model", "audio_s", "characters"})
