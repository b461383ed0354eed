"""Who and what the demo desk is made of: its staff, the towns that call, the names of
their contacts, and what requests say. Plain data; `demo_plan.Planner` draws from it.
"""

from __future__ import annotations

#: The desk lead: the demo console signs in as this handle.
DESK_LEAD = "rhernandez"
TECH_LEAD = "bchen"
STAFF = [  # handle, name, role, department
    (DESK_LEAD, "Rosa Hernandez", "lead", "desk"),
    ("dkim", "Daniel Kim", "dispatcher", "desk"),
    ("pwalsh", "Priya Walsh", "dispatcher", "desk"),
    ("jcarter", "Jamal Carter", "agent", "desk"),
    ("emiller", "Emma Miller", "agent", "desk"),
    ("tnguyen", "Tuan Nguyen", "agent", "desk"),
    ("sobrien", "Sean O'Brien", "agent", "desk"),
    ("akowalski", "Anna Kowalski", "agent", "desk"),
    ("gpatel", "Grace Patel", "agent", "customer-care"),
    ("mrossi", "Marco Rossi", "agent", "customer-care"),
    (TECH_LEAD, "Ben Chen", "lead", "technical"),
    ("kokafor", "Kemi Okafor", "agent", "technical"),
]
DISPATCHERS = ["dkim", "pwalsh"]
AGENTS = ["jcarter", "emiller", "tnguyen", "sobrien", "akowalski"]
CUSTOMER_CARE = ["gpatel", "mrossi"]
PEOPLE = ["gpatel", TECH_LEAD, DESK_LEAD, "kokafor"]  # whom an 'other' escalation names


def _words(text: str) -> list[str]:
    return text.split()


AREA = {
    "MN": 612,
    "WI": 414,
    "IL": 847,
    "TX": 972,
    "IA": 515,
    "KS": 785,
    "AR": 479,
    "TN": 615,
    "OK": 405,
    "ND": 701,
    "SD": 605,
    "MS": 601,
    "LA": 318,
    "NE": 402,
    "MO": 573,
}
MUNICIPALITIES = """City of Edina, MN|City of Brookfield, WI|Village of Oak Park, IL
Town of Addison, TX|City of Ames, IA|City of Lawrence, KS|Village of Glen Ellyn, IL
City of Round Rock, TX|City of Olathe, KS|City of Eau Claire, WI|Village of Shorewood, WI
City of Bentonville, AR|City of Franklin, TN|City of Norman, OK|Town of Flower Mound, TX
City of Fargo, ND|City of Sioux Falls, SD|City of Hattiesburg, MS|City of Mankato, MN
Village of Wilmette, IL|City of Ruston, LA|City of Stillwater, OK|Town of Normal, IL
City of Murfreesboro, TN|Village of Menomonee Falls, WI|City of Urbandale, IA
City of Denton, TX|City of Columbia, MO|City of Lincoln, NE|Village of Schaumburg, IL"""
FIRST = _words("""Karen Michael Linda James Patricia Robert Susan David Deborah Mark Angela
Kevin Teresa Brian Monica Gary Denise Luis Carol Steven Yolanda Paul Heather Dennis""")
LAST = _words("""Whitfield Novak Brennan Delgado Schultz Lindqvist Okonkwo Harper Jankowski
Reyes Thibodeaux Vang Moreno Sorensen Castillo Becker Fitzgerald Ybarra Haugen Washington""")
#: Summaries by the escalation kind they would need: a product issue goes to Technical,
#: a request for more services to Customer Care, anything else to a named person.
SUMMARIES = {
    "product": """Agenda Center PDF upload fails|Notify Me e-mails not sending
Staff directory photo won't update|Calendar events show the wrong time after the DST change
Online payment page returns an error|Search finds nothing in posted meeting minutes
Broken links in the Parks & Recreation menu|Form Center submissions not reaching the inbox
Homepage slideshow images stretched on phones|Document Center folder permissions reset
Alert banner won't come down after the storm|News Flash items publishing twice
Site editor login loops back to the sign-in page|Archive Center missing the 2019 ordinances
Bid postings not visible to the public|Job postings page shows a 500 error
Facility booking shows every room as unavailable|Translation widget missing on the homepage
How do I add a sub-page under Public Works?|Question about the accessibility report findings""",
    "additional-services": """Request for an additional department site
Quote for a new Parks & Recreation microsite|Training session for new web editors
Add an online permit application module|Redesign of the Library pages
Interested in adding the mobile app|More storage for the Document Center""",
    "other": """Update the billing contact on the contract|Question about the support renewal
Password reset for the new City Clerk's account|Copy of last month's site statistics
Change the primary contact for the Police Department|Question about an after-hours invoice
Domain name renewal question""",
}
EMERGENCIES = [
    "Website is down: homepage shows a server error",
    "Utility payment portal down on the billing deadline",
    "Cannot post the boil-water alert: site editor failing",
]


def lines_of(text: str) -> list[str]:
    return [item for line in text.splitlines() for item in line.split("|")]


TOPICS = {kind: lines_of(text) for kind, text in SUMMARIES.items()}
