"""Reading customer mail, the pure part: bytes in, a typed and safe description out.

No I/O, no database, no clock: every time comes in as an argument. `read_message` is the
entry point; see `message.py` for what it returns and how it fails.
"""

from console.domain.intake import normalise_phone
from console.mail.parsing.auto import OUTGOING_HEADER
from console.mail.parsing.body import DEFAULT_ATTACHMENT_LIMIT, Attachment
from console.mail.parsing.message import Incoming, Sender, Unreadable, read_message
from console.mail.parsing.voicemail import Voicemail

__all__ = [
    "DEFAULT_ATTACHMENT_LIMIT",
    "OUTGOING_HEADER",
    "Attachment",
    "Incoming",
    "Sender",
    "Unreadable",
    "Voicemail",
    "normalise_phone",
    "read_message",
]
