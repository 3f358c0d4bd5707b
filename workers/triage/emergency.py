"""A message describing a danger to life: someone collapsed or not breathing, a fire, a gas
smell, heavy bleeding, a threat of violence. A voicemail box cannot help there, so the reply
says so first and names the emergency number for the deployment's region.

Narrow on purpose: "emergency" alone names a trade ("emergency plumber") as often as a
danger, "fire" a product ("a fire door"), "gas" a bill; only a phrase that says what is
happening counts, and not where it is denied ("no one was hurt", "there's no smoke").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from shared.language.tokens import has_phrase
from workers.triage.classify import scan

_DANGER: tuple[str, ...] = ("collapsed", "not breathing", "isn't breathing", "is not breathing",
           "stopped breathing", "can't breathe", "cannot breathe", "can't breath",
           "chest pain", "chest pains", "heart attack", "having a stroke", "unconscious",
           "unresponsive", "won't wake up", "overdose", "overdosed", "electrocuted",
           "on fire", "caught fire", "there's a fire", "there is a fire", "a fire in the",
           "caught alight", "catching fire", "in flames", "smoke coming",
           "smoke pouring", "full of smoke", "smoke everywhere", "smell gas",
           "smell of gas", "smelling gas", "smells of gas", "gas leak", "leaking gas",
           "carbon monoxide", "bleeding heavily", "bleeding badly", "bleeding a lot",
           "won't stop bleeding", "lot of blood", "badly hurt", "seriously hurt",
           "badly injured", "seriously injured", "threatening me", "threatened me",
           "threatening to kill", "threatened to kill", "has a knife", "has a gun",
           "breaking in", "attacked me", "attacking me")  # fmt: skip


def _bare(phrases: Iterable[str]) -> tuple[str, ...]:
    """``phrases`` and each as written without its apostrophes: offline recognisers and typed
    messages write "isnt breathing", "cant breathe", "dont smell gas" (none of these phrases
    loses its sense so: no "we'll" becomes "well")."""
    return tuple(dict.fromkeys([*phrases, *(p.replace("'", "") for p in phrases)]))


_DANGER = _bare(_DANGER)
_TABLE = dict.fromkeys(_DANGER, True)
# A smell of gas or a leak: where the region has a gas emergency line (``GAS_EMERGENCY``),
# that line is the one to ring, as it sends the engineer who makes the supply safe.
_GAS = ("smell gas", "smell of gas", "smelling gas", "smells of gas", "gas leak", "leaking gas")
_GAS_TABLE = dict.fromkeys(_bare(_GAS), True)
# Said up to three words before the phrase, these deny it: "no one is unconscious", "there's
# no smoke coming", "it isn't on fire", "we don't smell gas".
_DENIALS = {"no", "not", "nobody", "nobody's", "isn't", "wasn't", "don't", "doesn't", "didn't",
            "never", "without", "no-one", "if", "nothing", "nothing's"}  # fmt: skip
_DENIALS = set(_bare(_DENIALS))
# Said before "if", these make it a doubt, not a hypothesis: "not sure if", "don't know if".
_UNSURE = {"sure", "know", "wondering", "wonder", "certain", "idea"}
# "Collapsed" is a danger only said of a person: "the sale has collapsed" is not.
_PEOPLE = {"i", "i've", "he", "she", "he's", "she's", "someone", "somebody", "husband", "wife",
           "partner", "man", "woman", "lady", "gentleman", "guy", "dad", "mum", "mom",
           "father", "mother", "son", "daughter", "child", "kid", "baby", "boy", "girl",
           "grandad", "grandma", "nan", "gran", "staff", "colleague", "friend", "patient",
           "customer", "neighbour", "neighbor", "brother", "sister", "driver"}  # fmt: skip
_PEOPLE = set(_bare(_PEOPLE))
# The caller has already rung the emergency services ("I've called the fire brigade", "the
# emergency service made it safe"): the job is still urgent and flagged, but telling them to
# hang up and ring 999 would be answering a question they did not ask.
_CALLED: tuple[str, ...] = ("called the fire brigade", "rung the fire brigade",
           "called an ambulance",
           "rung an ambulance", "called 999", "rung 999", "called 911", "dialed 911",
           "called the emergency line", "rung the emergency line", "ring the emergency line",
           "rung the gas emergency line", "called the gas board", "rung the gas board",
           "emergency service made it safe", "the emergency services", "called the police",
           "rung the police", "been evacuated", "fire brigade are here",
           "ambulance is on its way", "capped the supply")  # fmt: skip
_CALLED = _bare(_CALLED)

# The number to ring by the deployment's region (ISO 3166 alpha-2). Within the EU, 112
# works everywhere; Britain and Ireland answer 999 and 112.
_EU = ("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IT",
       "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "NO",
       "CH", "LI")  # fmt: skip
EMERGENCY_NUMBERS = {"US": "911", "CA": "911", "PR": "911", "MX": "911", "GB": "999",
                     "IE": "112", "AU": "000", "NZ": "111", "IN": "112", "ZA": "112",
                     "SG": "999", "HK": "999", "JP": "119"} | dict.fromkeys(_EU, "112")  # fmt: skip
# A region's gas emergency line (its service's name and number), only where it is one line
# for the whole region: Great Britain's National Gas Emergency Service. "GB" as ISO 3166
# has it also covers Northern Ireland, whose gas emergency line is another (0800 002 001);
# the deployment's region cannot tell the two apart, so a GB deployment gives Great
# Britain's. Other regions keep the emergency number alone: no number is guessed for them.
GAS_EMERGENCY = {"GB": ("the National Gas Emergency Service", "0800 111 999")}


def describes_emergency(words: Sequence[str]) -> bool:
    """Whether the caller describes a danger to life (``_DANGER``), not denied."""
    return _described(words, _TABLE)


def describes_gas_leak(words: Sequence[str]) -> bool:
    """Whether the caller describes a smell of gas or a gas leak (``_GAS``), not denied."""
    return _described(words, _GAS_TABLE)


def _denied(words: Sequence[str], start: int) -> bool:
    """Whether a word up to three before ``start`` denies the phrase there. "if" denies a
    danger said as a hypothesis ("what to do if there's a gas leak"), not one the caller
    suspects ("I'm not sure if it's a gas leak", "I don't know if ..."): whoever suspects a
    leak is to leave and ring, not wait for our call back."""
    return any(
        words[k] in _DENIALS and not (words[k] == "if" and k > 0 and words[k - 1] in _UNSURE)
        for k in range(max(0, start - 3), start)
    )


def _described(words: Sequence[str], table: dict[str, bool]) -> bool:
    return any(
        not _denied(words, start)
        and (words[start] != "collapsed" or bool(_PEOPLE & set(words[max(0, start - 4) : start])))
        for start, _, _ in scan(words, table)
    )


def help_already_called(words: Sequence[str]) -> bool:
    """Whether the caller says the emergency services are called already (``_CALLED``)."""
    return any(has_phrase(words, phrase) for phrase in _CALLED)


def emergency_number(region: str) -> str:
    """ "911" for "US"; "your local emergency number" for a region the table does not hold."""
    number = EMERGENCY_NUMBERS.get(region.upper())
    return number if number else "your local emergency number"


def gas_emergency_number(region: str) -> str | None:
    """ "0800 111 999" for "GB"; None where the region has no one gas emergency line."""
    service = GAS_EMERGENCY.get(region.upper())
    return service[1] if service else None


def danger_line(region: str, gas: bool = False) -> str:
    """What a reply to a danger to life says first, after its greeting: whoever writes the
    reply (the offline responder, Claude), the caller hears the same words. ``gas``: the
    caller smells gas or reports a leak, sent to the region's gas emergency line where it
    has one, and to the emergency number if anyone is hurt or there is a fire."""
    service = GAS_EMERGENCY.get(region.upper()) if gas else None
    if service is not None:
        name, number = service
        return (
            f"if you smell gas, please leave the building now and call {name} on {number}, "
            f"or {emergency_number(region)} if anyone is hurt or there is a fire. "
            "This voicemail cannot send help."
        )
    return (
        f"if anyone is in danger, please hang up and call {emergency_number(region)} now. "
        "This voicemail cannot send help."
    )


def must_send_away(words: Sequence[str]) -> bool:
    """Whether a reply to ``words`` must send the caller to the emergency number: a danger
    described, and help not said to be called already."""
    return describes_emergency(words) and not help_already_called(words)
