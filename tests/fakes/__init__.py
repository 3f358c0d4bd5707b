"""Test doubles of the vendors' HTTP APIs, for tests, chaos runs and offline demos.

``server.py`` is the shared base (real HTTP on localhost, request recording, scripted and
random faults); beside it one module per vendor: ``openai.py``, ``anthropic.py``,
``elevenlabs.py`` and ``google_tts.py``. Run one alone with
``python -m tests.fakes VENDOR [--host H] [--port P] [...]`` (see ``__main__.py``).
"""
