"""Words of a business's name (shared.language.names): a name holding one is no person's."""

from __future__ import annotations

# Words of a business's name: a name holding one is a company, school or office calling
# ("this is Harbor Auto Body", "the front desk at Harborview Dental"), not a person. Words
# that are also people's surnames in the known-name lists (Church, Law, Power, Council) are
# left out.
_BUSINESS_WORDS = """
    auto autos body dental dentistry plumbing heating electric electrical electricians roofing
    logistics elementary school schools academy college university clinic surgery hospital
    medical pharmacy veterinary vets services service solutions group inc llc ltd limited
    corp corporation company co plc bakery salon motors garage insurance bank realty
    properties marketing funding systems technologies technology partners associates office
    department county city centre center studio studios fitness gym cafe restaurant kitchen
    pizza store stores shop market supplies supply construction builders landscaping cleaning
    movers removals pets care health homes hotel travel legal accounting accountants tax
    financial finance capital credit union trust foundation association society club agency
    consulting networks network telecom broadband energy utilities primary secondary
    nursery daycare opticians optical repairs appliances hvac dealership estates lettings
    league accounts
"""
ORGANISATION_WORDS = frozenset(_BUSINESS_WORDS.split())
