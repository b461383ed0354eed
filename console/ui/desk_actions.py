"""The after-hours keys (POLICY.md sections 3 and 4): settle an unverified emergency
(`v` verify with a designated contact, `d` downgrade to a normal request) and settle a
request that needs a billing notice (`n` record the notice, `x` the customer declined);
`A` acknowledges the page of the emergency under the cursor and `H` the oldest open shift
handoff page, wherever the cursor is (issue 16).

Each key is shown in the footer only when the request under the cursor needs it; pressed
elsewhere, it says why not. The write carries the version on screen, like every action.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from console.domain.billing import NoRateError, rate_at
from console.store import commands
from console.store.board_rows import QueueRow
from console.store.enums import NoticeMethod
from console.ui.acting import Acting, key_pair
from console.ui.conflicts import Again
from console.ui.format import inert, short_day_time
from console.ui.model import Pane, desk_keys_applying
from console.ui.model.keys import APPLIES
from console.ui.screens.dialogs import Choice, ConfirmScreen, PickerScreen
from console.ui.screens.notice import NoticeAnswer, NoticeScreen
from console.ui.widgets.alerts import handoff_line

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

DESK_BINDINGS = [
    # First: shown only while a handoff waits, and then it must fit in the footer.
    *key_pair("H", "ack_handoff", "Ack handoff", "desk.ack-handoff", "ack_handoff"),
    *key_pair("v", "verify", "Verify", "desk.verify", "verify"),
    *key_pair("d", "downgrade", "Downgrade", "desk.downgrade", "downgrade"),
    *key_pair("n", "notice", "Notice given", "desk.notice", "notice"),
    *key_pair("x", "decline", "Declined", "desk.decline", "decline"),
    *key_pair("A", "ack_page", "Ack page", "desk.ack-page", "ack_page"),
    *key_pair("t", "attach", "Attach", "desk.attach", "attach"),
]

#: A write of one request: (session, actor, now, expected version) -> the command's view.
Write = Callable[["Session", str, datetime, int | None], Any]


class DeskActions(Acting):
    """The after-hours keys: verify, downgrade, notice given, declined."""

    def actions(self) -> dict[str, Callable[..., None]]:
        return {
            "verify": self.verify,
            "downgrade": self.downgrade,
            "notice": self.notice,
            "decline": self.decline,
            "ack_page": self.ack_page,
            "attach": self.attach,
            "ack_handoff": self.ack_handoff,
        }

    def _current_request(self) -> QueueRow | None:
        chosen = self.host.selection()
        return self.host.desk.request(chosen.cursor) if chosen.pane is Pane.QUEUE else None

    def desk_keys_applying(self) -> tuple[bool, ...]:
        """Which desk keys apply to the row under the cursor, and whether a handoff waits
        (the footer follows this)."""
        return (*desk_keys_applying(self._current_request()), bool(self.host.desk.handoffs))

    def _about(self, row: QueueRow) -> str:
        return f"#{row.id} {inert(row.customer)} · {inert(row.summary)[:60]}"

    # -- emergencies ----------------------------------------------------------------------

    def verify(self) -> None:
        row = self._current_request()
        if row is not None:
            self._verify(row)

    def _verify(self, row: QueueRow) -> None:
        people = self.host.desk.designated.get(row.customer, ())
        if not people:
            self.host.notify(
                f"{row.customer} has no designated emergency contact to verify with: "
                "downgrade it (d) or add one",
                severity="warning",
            )
            return
        caller = f" (called in by {inert(row.contact)})" if row.contact else ""
        about = self._about(row) + caller

        def chosen(name: str | None) -> None:
            if name:
                self._settle(
                    row,
                    lambda s, who, now, version: commands.verify_emergency(
                        s, who, now, request_id=row.id, contact=name, expected_version=version
                    ),
                    f"verified the emergency #{row.id} with {name}",
                    "verify",
                    self._verify,
                )

        choices = [Choice(p.name, p.phone or "") for p in people]
        self.host.push_screen(
            PickerScreen("Verified with which designated contact?", about, choices, then=chosen)
        )

    def downgrade(self) -> None:
        row = self._current_request()
        if row is not None:
            self._downgrade(row)

    def _downgrade(self, row: QueueRow) -> None:
        closed = not self.host.calendar.is_open(row.received_at)
        consequence = (
            "It was received while the desk was closed: it will need a billing notice "
            "before billable work."
            if closed
            else "Its timer restarts on its channel's clock from when it was received."
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                rules = self.host.rules
                self._settle(
                    row,
                    lambda s, who, now, version: commands.downgrade_emergency(
                        s, who, now, rules, request_id=row.id, expected_version=version
                    ),
                    f"downgraded #{row.id} to a normal request",
                    "downgrade",
                    self._downgrade,
                )

        self.host.push_screen(
            ConfirmScreen(
                f"Downgrade #{row.id} to a normal request?", f"{self._about(row)}\n{consequence}"
            ),
            confirmed,
        )

    # -- billing notice -------------------------------------------------------------------

    def notice(self) -> None:
        row = self._current_request()
        if row is not None:
            self._notice(row)

    def _notice(self, row: QueueRow) -> None:
        now = self.host.clock.now()

        def answered(answer: NoticeAnswer | None) -> None:
            if answer:
                self._settle(
                    row,
                    lambda s, who, now, version: commands.record_billing_notice(
                        s,
                        who,
                        now,
                        request_id=row.id,
                        method=answer.method,
                        at=answer.at,
                        given_by=answer.given_by,
                        expected_version=version,
                    ),
                    f"recorded the billing notice for #{row.id} ({answer.method}, "
                    f"{short_day_time(answer.at, self.host.calendar.zone, now)}, "
                    f"by {answer.given_by})",
                    "notice",
                    self._notice,
                )

        self.host.push_screen(
            NoticeScreen(
                self._about(row),
                self._terms(now),
                methods=[m.value for m in NoticeMethod],
                me=self.host.desk.identity.handle,
                staff=self.host.desk.staff_departments.keys(),
                zone=self.host.calendar.zone,
                now=now,
            ),
            answered,
        )

    def _terms(self, now: datetime) -> str:
        try:
            rate = rate_at(self.host.rules.policy.rates, self.host.calendar, now)
            price = f"${rate:,.2f}/h today"
        except NoRateError:
            price = "the rate in effect that day"
        return (
            "Work before the notice is never billable; after it, time outside desk hours "
            f"bills at {price}."
        )

    def decline(self) -> None:
        row = self._current_request()
        if row is not None:
            self._decline(row)

    def _decline(self, row: QueueRow) -> None:
        now = self.host.clock.now()
        calendar = self.host.calendar
        waits = (
            "The desk is open: it runs on the business clock"
            if calendar.is_open(now)
            else "It waits for the desk to open "
            f"({short_day_time(calendar.next_opening(now), calendar.zone, now)}) "
            "and runs on the business clock"
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._settle(
                    row,
                    lambda s, who, now, version: commands.record_decline(
                        s, who, now, request_id=row.id, expected_version=version
                    ),
                    f"recorded that the customer declined billing for #{row.id}",
                    "decline",
                    self._decline,
                )

        self.host.push_screen(
            ConfirmScreen(
                f"The customer declined after-hours billing for #{row.id}?",
                f"{self._about(row)}\n{waits}; nothing on it is billed.",
            ),
            confirmed,
        )

    # -- paging (issue 16) ----------------------------------------------------------------

    def ack_page(self) -> None:
        """Acknowledge the page of the emergency under the cursor: its escalation stops."""
        row = self._current_request()
        reason = self.why_not("ack_page")
        if reason or row is None:  # from the palette: the key itself shows only when it applies
            self.host.notify(reason or "not possible here", title="Not allowed", severity="warning")
            return
        who, now = self._me()
        request_id = row.id
        self._attempt(
            lambda s: commands.ack_page(s, who, now, request_id=request_id),
            f"acknowledged the page of #{request_id}",
            [],
        )

    def ack_handoff(self) -> None:
        """Acknowledge the oldest open shift handoff page, like `page ack --page ID`."""
        reason = self.why_not("ack_handoff")
        if reason:  # from the palette: the key itself shows only when it applies
            self.host.notify(reason, title="Not allowed", severity="warning")
            return
        handoff = self.host.desk.handoffs[0]
        who, now = self._me()
        page_id = handoff.page_id
        self._attempt(
            lambda s: commands.ack_page(s, who, now, page_id=page_id),
            f"acknowledged the handoff {handoff_line(handoff)}",
            [],
        )

    # -- triage (issue 15) -----------------------------------------------------------------

    def attach(self) -> None:
        """Give the triage request under the cursor its customer, picked by type-ahead."""
        row = self._current_request()
        if row is not None:
            self._attach(row)

    def _attach(self, row: QueueRow) -> None:
        def chosen(name: str | None) -> None:
            if name:
                self._settle(
                    row,
                    lambda s, who, now, version: commands.attach_request(
                        s, who, now, request_id=row.id, customer=name, expected_version=version
                    ),
                    f"attached #{row.id} to {name}",
                    "attach",
                    self._attach,
                )

        choices = [Choice(name) for name in self.host.desk.customers]
        self.host.push_screen(
            PickerScreen("Attach to which customer?", self._about(row), choices, then=chosen)
        )

    # -- writing --------------------------------------------------------------------------

    def _settle(
        self, row: QueueRow, write: Write, done: str, name: str, ask: Callable[[QueueRow], None]
    ) -> None:
        """Write with the version seen at the key press. After a conflict `r` runs `ask`
        (the key's own dialog) on the request as it is now, if the key still applies."""
        who, now = self._me()
        again = Again(
            "request", {row.id: row.version}, lambda fresh: ask(fresh[0]), APPLIES[name][0]
        )
        self._attempt(lambda s: write(s, who, now, row.version), done, [], again)
