"""The new-request key (`N`, issue 18): read who the customers and their contacts are (on
a worker), ask with the new-request dialog, and log it through the writer as one write
(a new caller becomes a contact in the same transaction, `store.commands.calls`). When it
lands, the cursor goes to the new request."""

from __future__ import annotations

import uuid
from typing import Any

from console.domain.sla import Channel
from console.store.commands.calls import log_request_for
from console.store.directory import list_contacts, list_customers
from console.store.idempotency import Once, fingerprint
from console.ui.acting import Do
from console.ui.format import inert
from console.ui.messages import WriteDone
from console.ui.screens.detail import DetailScreen
from console.ui.screens.new_request import Customer, NewRequest, NewRequestScreen
from console.ui.work_target import WorkBase, WorkHost
from console.ui.writer import WriteJob


class NewRequestActions(WorkBase):
    """`N`, and what the console does after any work key's write."""

    def __init__(self, host: WorkHost, record: Any) -> None:
        super().__init__(host, record)
        #: New requests being logged: the job's key to the request logged (filled by the
        #: writer's thread when the write lands), to put the cursor on it.
        self._logged: dict[str, list[int]] = {}

    # -- a new request --------------------------------------------------------------------

    def new_request(self) -> None:
        if self.why_not("new_request") is not None:
            self.refuse("new_request")
            return
        host = self.host

        def read() -> None:  # on a worker: who the customers and their contacts are
            with host.board.database.reading() as session:
                customers = [Customer(c.id, c.municipality) for c in list_customers(session)]
                contacts = list_contacts(session)
            host.call_from_thread(self._ask_new, customers, contacts)

        host.run_worker(read, thread=True, group="directory", exit_on_error=False)

    def _ask_new(self, customers: list[Customer], contacts: list[Any]) -> None:
        now = self.host.clock.now()
        channels = [c.value for c in Channel]
        screen = NewRequestScreen(customers, contacts, channels, self.host.calendar.zone, now)
        self.host.push_screen(screen, self._log_new)

    def _log_new(self, answer: NewRequest | None) -> None:
        if answer is None:
            return
        who, now = self._me()
        rules = self.host.rules
        logged: list[int] = []

        def do(session: Any) -> Any:
            view = log_request_for(
                session,
                who,
                now,
                rules,
                channel=answer.channel,
                customer=answer.customer_id,
                summary=answer.summary,
                contact=str(answer.contact_id) if answer.contact_id is not None else None,
                new_caller=answer.new_caller,
                emergency=answer.emergency,
                received_at=answer.received_at,
            )
            logged.append(view.id)
            return view

        caller = f" from {inert(answer.caller)}" if answer.caller else ""
        new = " (new contact)" if answer.new_caller else ""
        kind = "an emergency" if answer.emergency else f"a {answer.channel}"
        key = self._attempt_keyed(do, f"logged {kind}{caller}{new} for {inert(answer.customer)}")
        self._logged[key] = logged

    def _attempt_keyed(self, do: Do, done: str) -> str:
        """As `_attempt` (nothing to undo, no row to conflict on), returning the job's
        idempotency key, by which `after_write` knows the job again."""
        handle, now = self._me()
        key = f"console-{uuid.uuid4()}"
        once = Once(key, handle, fingerprint(done), now, lambda _: {})
        self.host.writer.submit(WriteJob(do, done, [], None, once))
        return key

    def after_write(self, message: WriteDone) -> None:
        """On the UI thread, after the "Done" line: show what the write changed."""
        logged = self._logged.pop(message.job.once.key, None)
        if logged:
            self.host.notify(f"request #{logged[0]} is in the queue", title="Logged")
            self.host.call_later(self._show_new, logged[0])
        screen = self.host.screen
        if isinstance(screen, DetailScreen):
            screen.reload()
        self.host.refresh_bindings()

    def _show_new(self, request_id: int) -> None:
        if self.host.screen is self.host.screen_stack[0]:
            self.host.jump_to(request_id)
