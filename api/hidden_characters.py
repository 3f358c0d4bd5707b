"""The API's name for ``shared.hidden_characters``: reviews and the inbox's forms check
what people type with it (the rules live in shared/, since typed text jobs, checked in
shared.text_input, follow them too)."""

from shared.hidden_characters import LINE_BREAKS, hidden_character, without_hidden

__all__ = ["LINE_BREAKS", "hidden_character", "without_hidden"]
