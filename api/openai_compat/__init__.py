"""OpenAI's audio API (``/v1/audio/transcriptions``, ``/v1/audio/speech``, ``/v1/models``)
answered by our pipeline, so tools and SDKs written for OpenAI work unchanged: the same keys
and tenants, jobs the stages run as any other, errors in OpenAI's shape."""
