"""Reading what callers say: spoken numbers and digit runs (``numbers``), dates and times
(``dates``), callers' names (``names``), phone numbers (``phone``) and the word tokens they
all work on (``tokens``).

Pure text logic with no model, shared by the triage (workers/triage) and by redaction
(shared/redaction), which the API applies to people's corrections too.
"""
