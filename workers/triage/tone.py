"""How the caller sounds: a sentiment and one emotion label, with the reasons for it.

A rule-based estimate, offline and deterministic. Words decide the label (a lexicon of
voicemail phrases with negation and intensifiers); the voice, when measured, mostly moves the
confidence: anger said loudly with lively pitch is surer than anger said flatly. Acoustics alone
cannot tell glad from cross, so sentiment comes from the words only.
"""

from __future__ import annotations

import math

from shared.analysis import AudioAnalysis, Emotion, Tone
from shared.language.tokens import tokenize
from shared.stt_languages import is_english
from workers.triage.classify import scan

_LEXICON: dict[Emotion, dict[str, float]] = {
    "angry": {"unacceptable": 2, "ridiculous": 2, "outrageous": 2, "furious": 3, "angry": 2,
              "livid": 3, "pissed": 2, "disgusting": 2, "disgraceful": 2, "incompetent": 2,
              "useless": 2, "worst": 2, "scam": 2, "lawyer": 2, "sue": 2, "lawsuit": 2,
              "how dare": 3, "i demand": 2, "sick of": 2, "sick and tired": 3, "damn": 2,
              "hell": 1, "rude": 1, "terrible": 1, "appalling": 2, "never again": 1},
    "frustrated": {"frustrated": 2, "frustrating": 2, "annoyed": 2, "annoying": 1,
                   "disappointed": 2, "disappointing": 2, "not happy": 2, "unhappy": 2,
                   "upset": 1, "fed up": 2, "third time": 2, "fourth time": 2,
                   "second time": 1, "several times": 2, "multiple times": 2, "many times": 2,
                   "keep calling": 2, "kept calling": 2, "still waiting": 2, "still not": 2,
                   "still hasn't": 2, "still haven't": 2, "yet again": 2, "once again": 1,
                   "never called me back": 2, "nobody called me back": 2,
                   "no one called me back": 2, "never heard back": 2, "not good enough": 2,
                   "still": 0.4, "again": 0.4},
    "anxious": {"worried": 2, "worry": 1, "worrying": 2, "concerned": 1.5, "nervous": 2,
                "anxious": 2, "scared": 2, "afraid": 2, "frightened": 2, "panic": 2,
                "panicking": 3, "emergency": 2, "as soon as possible": 1, "asap": 1,
                "urgent": 1, "urgently": 1.5, "please help": 2, "help me": 1.5,
                "don't know what to do": 2, "right away": 1, "immediately": 1,
                "hospital": 1, "desperate": 2, "please hurry": 2},
    "happy": {"thank you so much": 3, "thanks so much": 3, "thank you very much": 2,
              "great": 1, "wonderful": 2, "fantastic": 2, "amazing": 2, "excellent": 2,
              "awesome": 2, "brilliant": 2, "perfect": 1, "lovely": 1.5, "happy": 2,
              "pleased": 2, "delighted": 2, "glad": 1.5, "grateful": 2, "appreciate": 1,
              "really appreciate": 2, "love": 1, "great job": 2, "thank you": 0.5,
              "thanks": 0.5},
    "calm": {"no rush": 1.5, "no hurry": 1.5, "whenever": 1, "when you get a chance": 1.5,
             "when you have a chance": 1.5, "at your convenience": 1.5, "not urgent": 1.5,
             "just wanted to": 1, "just checking": 1, "no problem": 1},
}  # fmt: skip
_TABLE = {phrase: (emotion, weight) for emotion, words in _LEXICON.items()
          for phrase, weight in words.items()}  # fmt: skip
_NEGATIONS = {"not", "no", "never", "isn't", "wasn't", "aren't", "don't", "didn't", "doesn't",
              "hardly", "without"}  # fmt: skip
_INTENSIFIERS = {"very", "really", "so", "extremely", "absolutely", "completely", "totally",
                 "incredibly", "utterly", "seriously", "truly", "super"}  # fmt: skip
# A negation reaches over these ("not very happy", "not at all happy", "not an emergency") but
# no other word: in "not angry, just wanted to" the "not" belongs to "angry" alone. A bare "no"
# only negates the next word, since "No, I'm worried" is an interjection.
_BRIDGES = _INTENSIFIERS | {"too", "that", "particularly", "overly", "feeling", "at", "all",
                            "a", "an", "any", "the"}  # fmt: skip
# What a negated cue means instead: "not happy" is a complaint, "no emergency" reassurance.
# Negated anger or frustration ("not angry, just...") says little, so it counts for nothing.
_NEGATED: dict[Emotion, Emotion | None] = {
    "happy": "frustrated", "anxious": "calm", "calm": None, "angry": None, "frustrated": None
}  # fmt: skip
# How much a lively voice (positive arousal) agrees with each label.
_AROUSAL_FIT: dict[Emotion, float] = {"angry": 1.0, "anxious": 0.6, "happy": 0.4,
                                      "frustrated": 0.2, "calm": -1.0}  # fmt: skip
_VALENCE: dict[Emotion, float] = {"angry": -1.0, "frustrated": -1.0, "anxious": -0.6,
                                  "happy": 1.0, "calm": 0.3}  # fmt: skip
_MIN_SCORE = 1.0  # below this no emotion word set is taken as more than politeness


def tone_of(text: str, acoustics: AudioAnalysis | None, *, language: str | None = None) -> Tone:
    """Estimate the caller's tone from the transcript and, when measured, the voice.

    ``language`` is the words' (the job's, or the one the engine heard): the lexicon is
    English, so words in another are not read at all, and the estimate is as unsure as for
    no words, rather than calm for want of English ones ("Je suis furieux": calm, 0.41).
    """
    tokens = tokenize(text)
    foreign = not is_english(language)
    words = () if foreign else tokens.low
    scores: dict[Emotion, float] = dict.fromkeys(_AROUSAL_FIT, 0.0)
    found: dict[Emotion, list[str]] = {emotion: [] for emotion in _AROUSAL_FIT}
    negated: list[str] = []
    weak_seen: set[str] = set()
    for start, end, (emotion, weight) in scan(words, _TABLE):
        phrase = " ".join(words[start:end])
        if weight < _MIN_SCORE:
            # A weak cue is no emotion alone; said again in passing (a long message's
            # "still"), it must not add up to one, so it counts once.
            if phrase in weak_seen:
                continue
            weak_seen.add(phrase)
        before = set(words[max(0, start - 2) : start])
        target: Emotion | None = emotion
        negation = _negation_start(words, start)
        if negation is not None and phrase.split()[0] not in _NEGATIONS:
            target = _NEGATED[emotion]
            phrase = " ".join(words[negation:end])
        if target is None:
            negated.append(f"'{phrase}'")
            continue
        boost = 1.5 if before & _INTENSIFIERS else 1.0
        scores[target] += weight * boost
        found[target].append(f"'{phrase}'")

    cues: list[str] = [f"words in {language!r}, which the rules do not read"] if foreign else []
    shouted = _shouted_words(tokens.raw) if tokens.cased and not foreign else 0
    exclaims = min(text.count("!"), 3)
    negative = scores["angry"] + scores["frustrated"]
    if shouted >= 2 and negative > 0:
        scores["angry"] += min(shouted, 4) * 0.5
        cues.append("shouting in capitals")
    if exclaims >= 2 and max(negative, scores["happy"]) > 0:
        scores["angry" if negative > scores["happy"] else "happy"] += exclaims * 0.4
        cues.append("exclamation marks")

    arousal, voice_cues = _arousal(acoustics)
    # Frustration said with a raised, lively voice is anger.
    if arousal >= 0.6 and scores["frustrated"] > scores["angry"] > 0:
        scores["angry"] = scores["frustrated"] + arousal

    # On a tie the milder label wins: calling frustration anger over-escalates.
    order: tuple[Emotion, ...] = ("frustrated", "anxious", "happy", "angry")
    ranked = sorted(order, key=lambda e: scores[e], reverse=True)
    best: Emotion = ranked[0] if scores[ranked[0]] >= _MIN_SCORE else "calm"
    second = scores[ranked[1]] if best != "calm" else scores[ranked[0]]
    strength = scores[best] if best != "calm" else 1.0 + scores["calm"]
    margin = max(0.0, strength - second)
    confidence = 0.25 + 0.1 * min(strength, 4.0) + 0.06 * min(margin, 3.0)
    if not words:
        confidence = 0.15
    confidence += 0.2 * arousal * _AROUSAL_FIT[best]

    # Anger and frustration share their evidence: both are complaints.
    complaint: tuple[Emotion, ...] = ("angry", "frustrated")
    kin = complaint if best in complaint else (best,)
    supporting = [phrase for emotion in kin for phrase in found[emotion]]
    if supporting:
        cues.insert(0, "words: " + ", ".join(dict.fromkeys(supporting)))
    elif best == "calm" and words:
        cues.insert(0, "no emotional words")
    if negated:
        cues.append("negated, so not counted: " + ", ".join(negated))
    cues.extend(voice_cues)

    valence = sum(_VALENCE[e] * s for e, s in scores.items())
    return Tone(
        sentiment=round(math.tanh(valence / 3), 2),
        emotion=best,
        confidence=round(min(0.95, max(0.05, confidence)), 2),
        cues=cues,
    )


def _negation_start(words: tuple[str, ...], start: int) -> int | None:
    """Where a negation of the phrase at ``start`` begins, if one does."""
    if start >= 1 and words[start - 1] in _NEGATIONS:
        return start - 1
    for at in range(start - 2, max(-1, start - 4), -1):
        if words[at + 1] not in _BRIDGES:
            return None
        if words[at] in _NEGATIONS - {"no"}:
            return at
    return None


def _shouted_words(raw: tuple[str, ...]) -> int:
    """Words in capitals in an otherwise mixed-case transcript ("I am SO done")."""
    return sum(1 for word in raw if len(word) >= 2 and word.isupper() and word != "ASAP")


def _arousal(acoustics: AudioAnalysis | None) -> tuple[float, list[str]]:
    """How lively the voice is, -1 (quiet, flat, slow) to 1 (loud, varied, fast), and why."""
    if acoustics is None or acoustics.speech_s < 1.0:
        return 0.0, []
    score = 0.0
    lively: list[str] = []
    subdued: list[str] = []
    # Phone levels depend on gain, so absolute loudness counts for less than its variation.
    if acoustics.loudness_dbfs > -16:
        score, lively = score + 0.3, [*lively, "loud"]
    elif acoustics.loudness_dbfs < -35:
        score, subdued = score - 0.2, [*subdued, "quiet"]
    if acoustics.loudness_variation_db > 9:
        score, lively = score + 0.3, [*lively, "uneven in volume"]
    elif acoustics.loudness_variation_db < 4:
        score, subdued = score - 0.2, [*subdued, "even in volume"]
    spread = acoustics.pitch_variation_semitones
    if spread is not None and spread > 4:
        score, lively = score + 0.4, [*lively, "highly varied pitch"]
    elif spread is not None and spread < 1.5:
        score, subdued = score - 0.3, [*subdued, "flat pitch"]
    wpm = acoustics.speaking_rate_wpm
    if wpm is not None and wpm > 220:
        score, lively = score + 0.2, [*lively, f"fast speech ({wpm:.0f} wpm)"]
    elif wpm is not None and wpm < 120:
        score, subdued = score - 0.2, [*subdued, f"slow speech ({wpm:.0f} wpm)"]
    cues = [_listed(group) for group in (lively, subdued) if group]
    return max(-1.0, min(1.0, score)), cues


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
