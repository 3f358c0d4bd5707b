"""The words a caller's name is read by: its cues, titles and particles, and the words that
are never a name's."""

from __future__ import annotations

from shared.language.dates import WEEKDAYS
from shared.language.numbers import TEENS, TENS, UNITS

# Strongest introduction first: "my name is" is rarely followed by anything but a name,
# while "i'm" is as often followed by a state ("i'm calling", "i'm worried").
CUES = ("my name is", "my name's", "name is", "this is", "it's", "i'm", "i am")
TITLES = {"doctor": "Dr.", "dr": "Dr.", "mister": "Mr.", "mr": "Mr.", "mrs": "Mrs.",
           "ms": "Ms.", "miss": "Miss"}  # fmt: skip
# Lower-case transcripts give no capitals to go by, so a name ends at the first word that
# is common English (and in practice follows a name: "from", "calling", "and").
_COMMON_WORDS = """
    a an the and or but so nor from calling call called with at about on in for to of
    just here again back my your our his her their this that these those it its is was
    be been being am are were have has had having do does did i me we you he she they him
    them us not no yes very really also only still trying try wanted want wanting need
    needing needed looking hoping going gonna following regarding returning leaving
    reaching phoning ringing writing letting sending contacting hi hello hey good
    morning afternoon evening night thanks thank please sorry um uh er ah oh well okay ok like
    know sure glad happy interested concerned worried upset unhappy angry frustrated
    speaking urgent leaking getting got doing available home out over up down there who
    what when where why how which can could would should shall might must
    message voicemail number phone office company team customer client patient
    yours one order account appointment water heater re hiya g'day howdy
"""
# What callers say after "I'm", "it's" or a greeting that is no one's name, found as names
# in the triage corpus's lower-case messages ("i'm waiting on a prescription", "i'm after a
# price", "im calling") and typed ones ("Hi. Question here.", "It's Yeah no worries"). None is
# in the known-name lists' spelling of a name that would be missed: "Quick" and "Stirling"
# are surnames, so no rule by ending ("-ly", "-ing") is made. "i'm running about twenty
# minutes late" (a patient late for an appointment) gave "Running", "it's stan whenever
# you've got a minute" "Stan Whenever".
_NOT_NAMES = """
    actually yeah yep yup nope question basically anyway another after due meant supposed
    broke outside stuck never nothing half honestly definitely pretty im waiting making
    moving charging coming passing paying dropping holding travelling whistling dripping
    peeling started cheers sincerely regards bye running late whenever whatever wherever
    however
"""
# A season's or an occasion's greeting is capitalised as a name is, and "Merry" is a given
# name: its words are no name's ("Thanks, and Merry Christmas", "Happy New Year"). "Holiday"
# alone is left out: it is a surname (Billie Holiday), but not after "Happy".
GREETINGS = ("merry christmas", "merry xmas", "happy christmas", "happy holidays",
             "happy holiday", "happy new year", "happy new years", "happy easter",
             "happy birthday", "happy thanksgiving", "happy hanukkah", "happy chanukah",
             "happy diwali", "happy eid", "eid mubarak", "happy halloween",
             "happy anniversary", "season's greetings")  # fmt: skip
_OCCASIONS = """
    christmas xmas holidays year easter birthday thanksgiving hanukkah chanukah diwali eid
    mubarak halloween anniversary greetings
"""
# What a caller says while finding the next word. Said between a cue and the name ("this is
# um john smith") it is passed over, and it is never a word of a name. "Like" is not among
# them: after a cue it more often compares than fills ("it's like sarah said").
FILLERS = frozenset({"um", "umm", "uh", "uhm", "er", "erm", "ah", "hmm"})
NOT_NAME_WORDS = (
    set(_COMMON_WORDS.split())
    | FILLERS
    | set(_NOT_NAMES.split())
    | set(_OCCASIONS.split())
    | set(UNITS)
    | set(TEENS)
    | set(TENS)
    | set(WEEKDAYS)
)
_CONTRACTIONS = ("'s", "'m", "'ll", "'d", "'re", "'ve", "n't")  # "O'Brien" is a name, "it's" not
# Lower-case parts of a surname ("Maria de la Cruz", "Ludwig van Beethoven"): kept as said,
# not counted among the name's words, and only between two of them.
PARTICLES = {"de", "del", "della", "di", "da", "dos", "das", "du", "la", "le", "van", "von",
              "der", "den", "ter", "ten", "bin", "ibn", "al", "el", "los", "las"}  # fmt: skip

# Said just before a caller signs off with their name ("Thanks again, Harold Finch.").
THANKS = ("thanks", "thank you", "cheers", "many thanks")
THANKS_FILLERS = {"again", "so", "much", "very", "a", "lot", "bye"}


def is_name_word(raw: str, low: str, cased: bool) -> bool:
    if not raw.replace("'", "").isalpha() or low.endswith(_CONTRACTIONS):
        return False
    if len(low) < 2 or low in NOT_NAME_WORDS:
        return False
    # In a cased transcript a name is capitalised; "this is urgent" is not a name.
    return raw[0].isupper() if cased else True


def title_case(word: str) -> str:
    if any(c.isupper() for c in word):
        return word  # keep the caller's own spelling ("McDonald")
    return "'".join(part[:1].upper() + part[1:] for part in word.split("'"))
