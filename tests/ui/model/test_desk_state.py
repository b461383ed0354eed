"""The desk model on its own, without an app: what a load and a batch change, what a
paused desk still says, the alerts, the pickers' candidates and which keys apply."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from console.domain.calendar import DeskCalendar
from console.domain.coverage import Presence, Shift, ShiftKind
from console.domain.escalation import Destination
from console.domain.forecast import Glance
from console.store.board_rows import (
    BoardChanges,
    BoardState,
    EscalationRow,
    QueueRow,
    Roster,
)
from console.ui.model import DeskState, Identity, Pane, Selection, desk_keys_applying, why_not
from console.ui.model.glance import GlanceCache, desk_glance

#: Saturday 5 December 2026, 22:00 in Chicago: the desk is closed.
NIGHT = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)


def calendar() -> DeskCalendar:
    from console.store.commands import Rules

    return Rules.defaults().calendar


def row(row_id: int, **changes: object) -> QueueRow:
    base = QueueRow(
        id=row_id,
        customer="Springfield",
        contact=None,
        contact_designated=False,
        channel="email",
        summary=f"request {row_id}",
        received_at=NIGHT - timedelta(minutes=60 - row_id),
        emergency=False,
        emergency_unverified=False,
        assignee=None,
        due_at=NIGHT + timedelta(hours=row_id),
        first_response_at=None,
        billing_state="none",
        escalated=False,
        version=1,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def escalation(escalation_id: int, destination: Destination, **changes: object) -> EscalationRow:
    base = EscalationRow(
        id=escalation_id,
        request_id=escalation_id + 100,
        customer="Shelbyville",
        destination=destination.value,
        assignee=None,
        reason="why",
        technical_priority=None,
        opened_at=NIGHT - timedelta(minutes=escalation_id),
        version=1,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def board(*rows: QueueRow, escalations: tuple[EscalationRow, ...] = ()) -> BoardState:
    return BoardState(
        requests={r.id: r for r in rows},
        escalations={e.id: e for e in escalations},
        roster=Roster(),
        followups=(),
        staff_roles={"dora": "dispatcher", "lena": "lead"},
        last_event_id=0,
        staff_departments={"dora": "desk", "abe": "desk", "tess": "technical"},
    )


def test_a_load_takes_everything_and_learns_the_role() -> None:
    desk = DeskState(Identity("dora"))
    changed = desk.load(board(row(1), row(2)), NIGHT)
    assert changed.queue_reordered and changed.identity
    assert desk.identity == Identity("dora", "dispatcher")
    assert desk.loaded and desk.queue.order == [1, 2]
    assert desk.request(2) == row(2) and desk.request(3) is None


def test_a_batch_says_what_changed_and_which_emergencies_are_new() -> None:
    desk = DeskState(Identity("dora"))
    desk.load(board(row(1), row(2)), NIGHT)
    changes = BoardChanges(
        requests={2: row(2, version=2, assignee="abe"), 3: row(3, emergency=True)},
        requests_gone=frozenset({1}),
    )
    changed = desk.apply(changes, NIGHT)
    assert changed.alarms == (3,)
    assert changed.queue_rows == {2, 3} and changed.queue_reordered
    assert desk.queue.order == [3, 2]  # emergencies on top
    assert desk.request(2).version == 2  # type: ignore[union-attr]
    # The same emergency changing again is not new.
    assert changed.alerts  # a new emergency: the strip and the coverage alarm redraw
    again = BoardChanges(requests={3: row(3, emergency=True, version=2)})
    assert desk.apply(again, NIGHT).alarms == ()
    # A plain row changing leaves the alerts as they are: the tick keeps them current.
    plain = desk.apply(BoardChanges(requests={2: row(2, version=3)}), NIGHT)
    assert not plain.alerts and not plain.alarms


def test_a_paused_desk_holds_the_panes_but_not_the_alerts() -> None:
    desk = DeskState(Identity("dora"))
    desk.load(board(row(1)), NIGHT)
    desk.pause()
    unverified = row(2, emergency=True, emergency_unverified=True)
    changed = desk.apply(BoardChanges(requests={2: unverified}), NIGHT)
    # Held counts rows, not events: one new emergency is one, however many events it made.
    assert changed.alarms == (2,) and changed.held == 1 and not changed.queue_reordered
    assert desk.apply(BoardChanges(requests={2: unverified}), NIGHT).held == 1
    assert desk.apply(BoardChanges(requests={1: row(1, version=2)}), NIGHT).held == 2
    assert desk.request(2) is None  # the queue as shown holds still
    assert desk.alerts(calendar(), NIGHT).unverified == (unverified,)
    # Nobody is on call on Saturday night: the new emergency is uncovered at once.
    assert desk.uncovered(calendar(), NIGHT) == (unverified,)
    changed = desk.resume(NIGHT)
    assert desk.held == 0 and changed.queue_rows == {1, 2}
    assert desk.queue.order == [2, 1]


def test_a_breach_is_reported_once_paused_or_not() -> None:
    desk = DeskState(Identity("dora"))
    desk.load(board(row(1), row(2)), NIGHT)
    desk.pause()
    assert desk.new_breaches(NIGHT + timedelta(minutes=30)) == []
    assert desk.new_breaches(NIGHT + timedelta(hours=1, minutes=1)) == [1]
    assert desk.new_breaches(NIGHT + timedelta(hours=1, minutes=2)) == []
    # A response in time stops the timer: no breach for it.
    desk.apply(BoardChanges(requests={2: row(2, first_response_at=NIGHT)}), NIGHT)
    assert desk.new_breaches(NIGHT + timedelta(hours=3)) == []


def test_escalations_per_pane_in_their_order_and_held_while_paused() -> None:
    tech = [
        escalation(1, Destination.TECHNICAL, technical_priority=2),
        escalation(2, Destination.TECHNICAL, technical_priority=1),
        escalation(3, Destination.TECHNICAL),
    ]
    desk = DeskState(Identity("lena"))
    desk.load(board(escalations=(*tech, escalation(4, Destination.CUSTOMER_CARE))), NIGHT)
    assert [e.id for e in desk.escalations_to(Destination.TECHNICAL)] == [2, 1, 3]
    desk.pause()
    moved = escalation(3, Destination.CUSTOMER_CARE, version=2)
    desk.apply(BoardChanges(escalations={3: moved}), NIGHT)
    assert [e.id for e in desk.escalations_to(Destination.TECHNICAL)] == [2, 1, 3]
    assert desk.resume(NIGHT).escalations
    assert [e.id for e in desk.escalations_to(Destination.CUSTOMER_CARE)] == [4, 3]  # oldest first


def test_candidates_on_duty_and_free_first_then_by_load() -> None:
    desk = DeskState(Identity("dora"))
    state = board(
        row(1, assignee="abe"),
        row(2, assignee="abe"),
        row(3, assignee="dora"),
        # Escalations are load too: dora holds two of them (issue 18: "0 open" while
        # holding two), which makes her the busier one.
        escalations=(
            escalation(1, Destination.PERSON, assignee="dora"),
            escalation(2, Destination.CUSTOMER_CARE, assignee="dora"),
        ),
    )
    shifts = (
        Shift("dora", NIGHT - timedelta(hours=1), NIGHT + timedelta(hours=1), ShiftKind.DUTY),
        Shift("abe", NIGHT - timedelta(hours=1), NIGHT + timedelta(hours=1), ShiftKind.DUTY),
    )
    state = replace(
        state, roster=Roster(shifts, {"dora": Presence.AVAILABLE, "abe": Presence.AVAILABLE})
    )
    desk.load(state, NIGHT)
    state = replace(state, staff_names={"dora": "Dora Diaz"})
    desk.load(state, NIGHT)
    found = desk.candidates("desk", NIGHT)
    assert [(c.handle, c.open_load, c.escalations, c.on_duty) for c in found] == [
        ("abe", 2, 0, True),
        ("dora", 1, 2, True),
    ]
    line = found[1].label().plain
    assert "Dora Diaz" in line and "1 req" in line and "2 esc" in line
    held = desk.candidates("desk", NIGHT, held=[desk.request(1)])  # type: ignore[list-item]
    assert {c.handle: c.holds for c in held} == {"dora": "", "abe": "now holds it"}


def test_which_keys_apply_follows_role_pane_and_row() -> None:
    unverified = row(2, emergency=True, emergency_unverified=True)
    assert why_not("downgrade", "dispatcher", "desk", Pane.QUEUE, unverified) is None
    assert why_not("downgrade", "dispatcher", "desk", Pane.QUEUE, row(1)) == (
        "#1 is not an emergency"
    )
    assert "press 1 first" in (why_not("verify", "lead", "desk", Pane.TECHNICAL, None) or "")
    assert "read-only" in (why_not("assign", None, None, Pane.QUEUE, row(1)) or "")
    assert why_not("reassign", "lead", "desk", Pane.PERSON, None) is None
    assert desk_keys_applying(unverified) == (True, True, False, False, False, False)
    assert desk_keys_applying(None) == (False, False, False, False, False, False)


def test_a_selection_aims_at_the_marked_rows_in_screen_order_or_the_cursor() -> None:
    chosen = Selection(Pane.QUEUE, (5, 3, 9), cursor=3, marked=frozenset({9, 5}))
    assert chosen.targets == [5, 9]
    assert Selection(Pane.QUEUE, (5, 3, 9), cursor=3).targets == [3]
    assert Selection(None).targets == []
    assert chosen.position(9) == 3 and chosen.position(1) is None


def test_the_glance_counts_the_latest_rows_and_forecasts_breaches() -> None:
    desk = DeskState(Identity("dora"))
    now = NIGHT + timedelta(hours=2, minutes=30)  # rows 1 and 2 are breached
    rows = [
        row(i, due_at=NIGHT + timedelta(minutes=m))
        for i, m in enumerate((60, 120, 160, 170, 200, 400), start=1)
    ]
    rows[0] = replace(rows[0], assignee="abe")
    rows.append(row(7, emergency=True, due_at=None))
    rows.append(row(8, triage=True))
    desk.load(board(*rows), now)
    desk.pause()  # the glance reads the latest rows, paused or not
    desk.apply(BoardChanges(requests={9: row(9, due_at=now + timedelta(minutes=20))}), now)
    view = desk_glance(desk, calendar(), now)
    assert view.counts == Glance(
        breached=2, due_soon=4, unassigned=7, emergencies=1, triage=1, free=0, on_duty=0
    )
    # Nobody free: due at +10 (row 3), +20 (rows 4 and 9), +50 (row 5).
    assert view.forecast == (1, 2, 0, 1)
    # The cache that the screen uses gives the same answer at every instant, and follows
    # the rows only once told they changed.
    cache = GlanceCache()
    for minutes in (0, 15, 45, 90, 300):
        later = now + timedelta(minutes=minutes)
        assert cache.glance(desk, calendar(), later) == desk_glance(desk, calendar(), later)
    desk.apply(BoardChanges(requests={10: row(10, due_at=now - timedelta(minutes=1))}), now)
    assert cache.glance(desk, calendar(), now).counts.breached == 2  # not told yet
    cache.invalidate()
    assert cache.glance(desk, calendar(), now) == desk_glance(desk, calendar(), now)
    assert cache.glance(desk, calendar(), now).counts.breached == 3
