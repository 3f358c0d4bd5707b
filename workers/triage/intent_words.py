"""The words and phrases that name each intent, with their weights (workers.triage.classify
scores them; the longest phrase claims its words first, so "cancel my order" is no order).

Written first for our own scripts, then widened (_EVERYDAY) with the inflections and the
everyday ways callers say the same things, a thesaurus pass over each intent, after voicemails
written by people who had not read the rules showed how narrow they were: intent right in 16
of 30 such messages, from perfect transcripts (tests/quality/written.py has the figures).
A bare "call me" names no topic: every voicemail says it, and as a callback request it hid
the topic Moonshine's hearing names where Whisper's words name none (vm05, w27).
"""

from __future__ import annotations


def _failures() -> dict[str, int]:
    """A machine failing at its one job, however the caller puts it ("isn't cooling", "won't
    turn on", "stopped draining"): each way of saying "not" with each job, as repair cues.
    A door or lock only by what it will not do ("the office is not open" is no fault)."""
    nots = ("not", "isn't", "is not", "wasn't", "won't", "doesn't", "stopped")
    jobs = ("working", "work", "cooling", "cool", "heating", "heat", "draining", "drain",
            "flushing", "flush", "starting", "start", "turning on", "turn on", "spinning",
            "charging", "running")  # fmt: skip
    stuck = {f"{no} {job}": 2 for no in ("won't", "doesn't") for job in ("open", "close", "lock")}
    return {f"{no} {job}": 2 for no in nots for job in jobs} | stuck


# INTENTS lives in shared.intents (the review inbox offers it too); earlier wins a tie.
_FIRST: dict[str, dict[str, int]] = {
    "cancellation": {"cancel": 2, "cancellation": 2, "terminate": 2, "unsubscribe": 2,
                     "close my account": 3, "end my subscription": 3, "stop my service": 3,
                     "won't be needing": 3, "no longer need": 3, "discontinue": 2,
                     "stop the service": 3, "stop my membership": 3,
                     "stop my subscription": 3, "end my membership": 3, "end my contract": 3,
                     "no longer use": 2, "won't need": 2, "cancelled": 2, "canceled": 2,
                     "cancelling": 2, "canceling": 2, "won't be renewing": 3,
                     "not renewing": 3, "not going to renew": 3},
    "repair": {"repair": 2, "leaking": 2, "leak": 2, "broken": 2, "not working": 2,
               "stopped working": 2, "out of order": 2, "fix": 1, "flooding": 2,
               "water heater": 2, "heater": 1, "furnace": 1, "plumber": 1, "pipe": 1,
               "toilet": 1, "no heat": 2, "no hot water": 2, "technician": 1,
               "not draining": 2, "isn't draining": 2, "grinding": 1, "smell of gas": 3,
               "gas leak": 3, "smell gas": 3, "dishwasher": 1, "boiler": 1,
               "washing machine": 1, "send someone": 1, "flooded": 2, "heating": 1,
               "has stopped": 1, "air conditioning": 1, "air conditioner": 1, "fridge": 1,
               "refrigerator": 1, "freezer": 1, "oven": 1, "thermostat": 1, "pump": 1,
               "outlet": 1, "sparks": 2, "power went out": 2, "power is out": 2,
               "overflowing": 2, "flickering": 1, "burning smell": 2}
           | _failures(),
    "billing": {"bill": 2, "billing": 2, "invoice": 2, "charge": 1, "charged": 2,
                "overcharged": 2, "payment": 2, "refund": 2, "receipt": 1, "statement": 1,
                "balance": 1, "credit card": 1, "pay": 1},
    "appointment": {"appointment": 2, "reschedule": 2, "rebook": 2, "schedule": 1, "book": 1,
                    "booking": 1, "dentist": 1, "dental": 1, "checkup": 1, "check up": 1,
                    "consultation": 1, "fit me in": 2, "fit him in": 2, "fit her in": 2,
                    "anything today": 2, "an opening": 1, "toothache": 1, "tooth": 1,
                    "availability": 2, "any openings": 2, "book a table": 2,
                    "reservation": 2, "booked": 1},
    "order_status": {"order": 2, "delivery": 2, "shipment": 2, "tracking": 2, "shipped": 1,
                     "package": 1, "parcel": 1, "arrived": 1, "delivered": 1, "ordered": 2,
                     "dispatched": 2, "where it's got to": 2, "hasn't arrived": 2,
                     "supposed to arrive": 2, "meant to arrive": 2, "should have arrived": 2},
    "complaint": {"complaint": 2, "complain": 2, "not happy": 2, "disappointed": 2, "rude": 2,
                  "unacceptable": 2, "unhappy": 1, "terrible": 1, "frustrated": 1,
                  "angry": 1, "upset": 1, "worst": 1, "nobody helped": 2,
                  "no one helped": 2, "never showed up": 2, "poor service": 2, "waited": 1,
                  "called three times": 2, "called several times": 2, "called twice": 2,
                  "called multiple times": 2, "nobody has gotten back": 2,
                  "no one has gotten back": 2, "nobody got back": 2, "no one got back": 2,
                  "nobody called me back": 2, "no one called me back": 2, "frustrating": 1,
                  "complaining": 2, "not good enough": 2, "make this right": 2,
                  "make it right": 2, "careless": 1},
    "sales": {"quote": 2, "pricing": 2, "interested in": 2, "demo": 2, "price": 1,
              "prices": 1, "purchase": 1, "buy": 1, "estimate": 1, "how much": 1,
              "what it would cost": 2, "financing": 2, "cost": 1, "ad i saw": 2,
              "upgrade": 2, "upgrading": 2, "rates": 1},
    "callback_request": {"call me back": 1, "call back": 1, "return my call": 1,
                         "get back to me": 1, "give me a call": 1, "returning your call": 3,
                         "return your call": 2, "missed your call": 2, "you called me": 2,
                         "ring me back": 1, "give me a ring": 1, "missed a call": 2,
                         "calling you back": 3, "ringing you back": 3, "try me again": 1,
                         "give me a shout": 1, "you left me a message": 2,
                         "you left me a voicemail": 2},
}  # fmt: skip
# The thesaurus pass: inflections, synonyms and the everyday phrasings of each request.
_EVERYDAY: dict[str, dict[str, int]] = {
    "cancellation": {"opt out": 2, "close the account": 3, "close our account": 3,
                     "end our contract": 3, "end the contract": 3, "no longer want": 2,
                     "no longer require": 2, "don't want to continue": 3,
                     "take me off": 2, "remove me from": 2, "cancel our": 3,
                     "switching to another": 2, "moving away": 1, "terminated": 2,
                     "cancel my order": 3, "cancel the order": 3, "cancel our order": 3},
    "repair": {"broke": 2, "broken down": 2, "broke down": 2, "clogged": 2, "clog": 2,
               "blocked": 1, "backed up": 2, "burst": 2, "cracked": 1, "faulty": 2,
               "malfunctioning": 2, "out of service": 2, "making a noise": 1, "noisy": 1,
               "rattling": 1, "tripping": 2, "keeps tripping": 2, "electrician": 1,
               "handyman": 1, "engineer": 1, "come and fix": 2, "take a look at": 1,
               "no water": 2, "water damage": 2, "roof": 1, "gutter": 1, "faucet": 1,
               "sink": 1, "shower": 1, "leaky": 2, "leaks": 2, "fixed": 1, "mend": 1,
               "repaired": 2, "won't turn off": 2, "not turning on": 2, "won't switch on": 2,
               "stopped heating": 2, "damp": 1, "mould": 1, "mold": 1},
    "billing": {"billed": 2, "double charged": 3, "charged twice": 3, "overcharge": 2,
                "fee": 1, "late fee": 2, "direct debit": 2, "amount": 1, "price increase": 2,
                "autopay": 2, "payment plan": 2, "paid": 1, "owe": 1, "money back": 2,
                "reimburse": 2, "reimbursement": 2, "transaction": 2, "account balance": 2,
                "bank statement": 2, "card was charged": 3, "charging me": 2},
    "appointment": {"book in": 2, "book me in": 2, "see the doctor": 2, "see the dentist": 2,
                    "visit": 1, "session": 1, "lesson": 1, "cleaning": 1, "exam": 1,
                    "change the time": 2, "a different day": 2, "another day": 1,
                    "running late": 2, "can't make it": 2, "won't make it": 2,
                    "can't make": 1, "confirm my": 1, "postpone": 2, "bring forward": 2,
                    "rearrange": 2, "scheduled": 1, "appointments": 2},
    "order_status": {"shipping": 2, "arrive": 1, "hasn't come": 2,
                     "haven't received": 2, "never received": 2, "still waiting for": 1,
                     "on its way": 2, "when will": 1, "courier": 1, "dispatch": 2,
                     "in stock": 1, "back order": 2, "backordered": 2, "order number": 2,
                     "purchased": 1, "bought": 1, "tracking number": 2, "hasn't turned up": 2,
                     "not turned up": 2, "still not here": 2, "lost in the post": 3},
    "complaint": {"supervisor": 1, "disgusted": 2, "appalled": 2, "ridiculous": 2,
                  "outrageous": 2, "unprofessional": 2, "shocking": 1, "awful": 1,
                  "horrible": 1, "let down": 1, "ignored": 2, "fed up": 2,
                  "not acceptable": 2, "no one has called": 2, "nobody has called": 2,
                  "treated me": 1, "attitude": 2, "insulting": 2, "formal complaint": 3,
                  "sloppy": 2, "poor": 1, "damaged my": 2, "not impressed": 2},
    "sales": {"information about": 2, "more information": 2, "brochure": 2, "sign up": 2,
              "new customer": 2, "become a customer": 2, "your services": 2,
              "looking for a company": 2, "looking for someone to": 1, "do you offer": 2,
              "do you provide": 2, "free trial": 2, "wholesale": 2, "bulk": 1,
              "partnership": 2, "a proposal": 2, "ballpark": 2, "costs": 1},
    "callback_request": {"get in touch": 1, "touch base": 1, "quick question": 1,
                         "got your message": 2, "saw that you called": 2, "you called": 1,
                         "tried to reach me": 2, "trying to reach me": 2},
}  # fmt: skip
INTENT_WORDS = {intent: words | _EVERYDAY.get(intent, {}) for intent, words in _FIRST.items()}

# A caller who says not to call back asks nothing of us ("no need to call back": a
# thank-you, not a request); the topic model is kept from reading one (classify.intent).
DECLINED_CALL = ("no need to call back", "no need to call me back", "no need to ring back",
                 "no need to ring me back", "no need to get back to me",
                 "no need to return my call", "don't need to call me back",
                 "don't need to call back")  # fmt: skip
# A seller pitching to the business, or a recorded announcement: information for us, never
# a customer's request, however much it speaks of quotes, demos and calls ("general").
# Every message of the triage corpus and of both written sets with "like yours" or "we
# help" was labelled general, and the models read them as sales or appointments.
PITCH = ("businesses like yours", "companies like yours", "firms like yours",
         "practices like yours", "shops like yours", "contractors like yourself",
         "businesses like yourself", "companies like yourself", "we help local",
         "this is an automated message", "automated message from")  # fmt: skip
# A caller who only passes on news ("just letting you know our office will be closed
# Monday"): where no topic was found, general by decision too (workers.review), though not
# made general, since news may be a topic's ("letting you know I've cancelled the card").
# Of the 4,684 written messages (triage corpus, written sets, voicemail set), the 57 with
# one of these that the offline triage read as general were all labelled general; 34 more
# with one were labelled a topic, and the triage named a topic for each.
NOTICE = ("letting you know", "just to let you know", "wanted to let you know", "heads up",
          "for your information", "fyi", "just so you know")  # fmt: skip
# Phrases that only mask their words ("in order to" is not about an order).
# The caller calling again later asks nothing of us, nor one who declines a call.
# A time that "doesn't work for me" is no broken machine.
NEUTRAL = ("in order to", "work for me", "work for us", "works for me", "i'll call back",
           "i will call back", "i'll call you back", *DECLINED_CALL)  # fmt: skip
# Things named for a danger, not one ("a quote for a fire door", "the smoke alarm keeps
# chirping"): they claim "fire" and "smoke" from the urgency cues (classify.urgency). Of the
# corpora's messages, the five whose urgency this moved (fire doors propped open, a chirping
# smoke alarm, a fire safety review) were all labelled normal or low, and had been read high.
NAMED_FOR_DANGER = ("fire door", "fire doors", "fire alarm", "fire alarms", "smoke alarm",
                    "smoke alarms", "smoke detector", "smoke detectors", "fire safety",
                    "fire extinguisher", "fire extinguishers", "fire escape",
                    "fire exit")  # fmt: skip
