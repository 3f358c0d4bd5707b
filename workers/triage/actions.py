"""What the caller asks the business to do: the requested action of a triage."""

from __future__ import annotations

from collections.abc import Sequence

from shared.language.dates import WEEKDAYS
from shared.language.tokens import has_phrase
from workers.triage.moves import MOVE_MY, moves_a_held_booking, moves_my_booking
from workers.triage.tables import changes_party_size

_RUNNING_LATE = ("i'm running late", "im running late", "i am running late", "we're running late",
                 "running a bit late", "running a little late", "running a few minutes late",
                 "i'll be late", "i will be late", "i'm going to be late", "gonna be late",
                 "i'm late for", "be a bit late", "be a little late", "be a few minutes late",
                 "running behind for my")  # fmt: skip
# What a late arrival is late for: not "I'll be late with the rent".
_LATE_FOR = ("appointment", "appt", "o'clock", "session", "class", "booking", "table",
             "reservation", "lesson", "meeting", "be there", "get there", "minutes", "for my",
             "for the", "for our", "start without me")  # fmt: skip
# "Take us off tonight's schedule", "scrub it off the diary": a visit taken off what is
# booked is a cancellation, however much "schedule" sounds like booking. A taking verb
# is wanted before "off": "the day off tuesday so schedule me in" books.
_TAKE_OFF = frozenset({"take", "taking", "cross", "scrub", "strike", "drop"})  # not "get off at 5"
_SCHEDULES = frozenset({"schedule", "schedules", "rota", "diary", "calendar"})
# A standing visit ended ("the fortnightly clean", "going forward"), not one booking.
_STANDING = ("going forward", "anymore", "any more", "from now on", "weekly", "fortnightly",
             "monthly", "quarterly", "regular", "visits")  # fmt: skip
_OFF = ("off",)  # a rule of its own (_off_the_schedule), told by identity like MOVE_MY
# (any of these, and any of those or nothing, -> action); first matching rule wins.
_ACTION_RULES: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    # "Please cancel my appointment on Tuesday, I'll call to reschedule later": a cancel
    # now; the rebooking is the caller's, another time.
    (("call back to rebook", "call back to reschedule", "call to rebook", "call to reschedule",
      "ring back to rebook", "ring to rebook", "rebook later", "reschedule later"), ("cancel",),
     "cancel appointment"),
    (("reschedule", "rebook", "move my appointment", "change my appointment",
      "push my appointment", "shift my appointment", "move my booking", "change my booking",
      "shift my booking"), (),
     "reschedule appointment"),
    # A booking the caller already has, named as "it" or "me": "I've got a cleaning on
    # Monday at 10, I need to move it to next Tuesday", "can you move me from Monday to
    # Wednesday". Only with a booking or a day named: "could the driver move it to the
    # side" and "we just push it back on" (a loose wheel) ask for no new time.
    (("move it to", "move it back", "move it from", "push it to", "push it back",
      "push it out", "move me to", "move me from", "change it to", "bring it forward"),
     ("appointment", "booked", "booking", "tomorrow", "week", "morning", "afternoon",
      *WEEKDAYS), "reschedule appointment"),
    # "Move my Friday the twelfth appointment to Monday", "change my 3:30 appointment";
    # not "change my phone number before my appointment" (moves.MOVE_MY).
    (MOVE_MY, ("appointment", "booking"), "reschedule appointment"),
    # Before "cancel" without "appointment" (a service) and "schedule" (a booking).
    (_OFF, (), "cancel appointment"),
    (("cancel",), ("appointment",), "cancel appointment"),
    (("cancel",), ("order",), "cancel order"),
    (("cancel", "cancellation", "terminate", "unsubscribe", "close my account"), (),
     "cancel service"),
    # "I'm running late for my 3 o'clock": a booking held, and no new one wanted.
    (_RUNNING_LATE, _LATE_FOR, "running late"),
    (("book", "schedule", "make an appointment", "set up an appointment"), (),
     "book appointment"),
    # "Calling to confirm my appointment for tomorrow": it is booked already.
    (("confirm my appointment", "confirming my appointment", "confirm the appointment",
      "confirm that my appointment", "confirm my booking", "confirming my booking",
      "appointment is still on"), (), "confirm appointment"),
    (("invoice",), (), "send invoice"),
    (("refund",), (), "issue refund"),
    (("receipt",), (), "send receipt"),
    (("quote", "estimate", "pricing"), (), "send quote"),
)  # fmt: skip
# A quote sent already, asked for again ("thanks for the quote, could you send it again",
# "I never got the quote"): it is sent again, not put together. Not where something is to
# change first ("add the skylights and send it again"): that is a new quote.
_AGAIN = ("send it again", "send it over again", "send it through again", "send that again",
          "send the quote again", "send me the quote again", "send the estimate again",
          "email it again", "email it over again", "resend", "re send", "another copy",
          "never got the quote", "didn't get the quote", "never received the quote",
          "didn't receive the quote", "lost the quote", "can't find the quote")  # fmt: skip
_REVISED = frozenset({"add", "adding", "change", "changes", "update", "updated", "revise",
                      "revised", "amend", "amended", "include", "including",
                      "without"})  # fmt: skip
_HAS_ONE = ("my appointment", "have an appointment", "got an appointment", "my booking",
            "i'm booked", "i am booked", "booked an appointment", "i booked")  # fmt: skip
_CALLBACK = ("call me back", "call back", "return my call", "get back to me", "give me a call")
_INTENT_ACTIONS = {"repair": "arrange repair", "order_status": "check order status",
                   "billing": "review bill", "complaint": "follow up on complaint",
                   "sales": "send information", "appointment": "book appointment"}  # fmt: skip


def requested_action(words: Sequence[str], intent_name: str, has_number: bool) -> str | None:
    if changes_party_size(words):
        # "Can we make it 8 instead of 6", "change my booking to 8 people": the booking
        # stays, at its time; neither a move (its numbers are no hours) nor a new booking.
        return "change booking"
    if moves_a_held_booking(words):
        return "reschedule appointment"  # "move the table we booked for the 21st to the 22nd"
    for any_of, with_any, action in _ACTION_RULES:
        if any_of is MOVE_MY and not moves_my_booking(words):
            continue
        if any_of is _OFF and _off_the_schedule(words):
            standing = any(has_phrase(words, p) for p in _STANDING)
            return "cancel service" if standing else action
        if any_of is _OFF:
            continue
        if any(has_phrase(words, p) for p in any_of) and (
            not with_any or any(has_phrase(words, p) for p in with_any)
        ):
            if action == "send quote" and _sends_again(words):
                return "resend quote"
            return action
    # A fault needs someone sent out whatever else was asked; other topics are settled
    # on the call the caller asked for.
    if intent_name == "repair":
        return _INTENT_ACTIONS[intent_name]
    if intent_name == "cancellation" and any(w in ("appointment", "appt") for w in words):
        # "I won't be able to make my appointment tomorrow": no "cancel" said, but the
        # slot is to be freed all the same, whatever call is asked for. (A taxi or a room
        # "booked" is no appointment: left to the call.)
        return "cancel appointment"
    if any(has_phrase(words, p) for p in _CALLBACK):
        return "call back"
    if intent_name == "appointment" and any(has_phrase(words, p) for p in _HAS_ONE):
        # "My appointment is on the 12th, do I need to bring anything?": booked already,
        # so there is nothing to book; the call settles it.
        return "call back"
    if intent_name in _INTENT_ACTIONS:
        return _INTENT_ACTIONS[intent_name]
    return "call back" if has_number else None


def _sends_again(words: Sequence[str]) -> bool:
    """Whether the quote asked for is one sent already, to be sent again (``_AGAIN``)."""
    return not _REVISED & set(words) and any(has_phrase(words, p) for p in _AGAIN)


def _off_the_schedule(words: Sequence[str]) -> bool:
    """Whether someone is taken off a schedule ("take us off tonight's schedule")."""
    return any(
        w == "off"
        and _TAKE_OFF & set(words[max(0, i - 3) : i])
        and _SCHEDULES & set(words[i + 1 : i + 4])
        for i, w in enumerate(words)
    )
