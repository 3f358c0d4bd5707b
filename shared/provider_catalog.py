"""Which providers each stage has, by name: what the API offers and the workers load.

Only names and where each implementation lives (as strings): the API validates a job's
choice against this table without importing any provider or worker code; the workers'
registry (workers.providers.registry) imports an implementation when first asked for it.
"""

from __future__ import annotations

from shared.models import Stage

IMPLEMENTATIONS: dict[Stage, dict[str, str]] = {
    Stage.STT: {
        "local": "workers.providers.stt.local:PocketsphinxStt",
        "hybrid": "workers.providers.stt.hybrid:HybridStt",
        "claude": "workers.providers.stt.claude:ClaudeStt",
        "whisper": "workers.providers.stt.whisper:WhisperStt",
    },
    Stage.LLM: {
        "local": "workers.providers.llm.local:TriageResponder",
        "claude": "workers.providers.llm.claude:ClaudeResponder",
    },
    Stage.TTS: {
        "local": "workers.providers.tts.local:PiperTts",
        "elevenlabs": "workers.providers.tts.elevenlabs:ElevenLabsTts",
        "google": "workers.providers.tts.google:GoogleTts",
        "openai": "workers.providers.tts.openai:OpenAITts",
    },
}


def provider_names(stage: Stage) -> list[str]:
    return sorted(IMPLEMENTATIONS[stage])
