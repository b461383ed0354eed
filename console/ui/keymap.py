"""The personal keymap (`[keymap]` in the settings file), checked before the console starts:
an unknown binding id, or a key that another binding of the main screen already has, is
refused with one line naming it (it once silently took `q` from quit)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.binding import Binding

from console.ui.bindings import APP_BINDINGS
from console.ui.screens.detail import DetailScreen
from console.ui.screens.dialogs import DIALOGS
from console.ui.screens.help import HelpScreen
from console.ui.screens.new_request import NewRequestScreen
from console.ui.screens.notice import NoticeScreen
from console.ui.screens.reports import ReportScreen
from console.ui.screens.work_dialogs import WORK_DIALOGS
from console.ui.widgets.grid import VirtualGrid
from console.ui.widgets.queue_pane import QueuePane


class KeymapError(ValueError):
    """A keymap that cannot be used; the message is one line."""


def _keys(keys: str) -> list[str]:
    return [k.strip() for k in keys.split(",") if k.strip()]


def check_keymap(
    keymap: Mapping[str, str], main: Iterable[Binding], elsewhere: Iterable[Binding] = ()
) -> None:
    """Refuse `keymap` if it names an id that no binding has, or gives a binding of the
    main screen (`main`: the app's, the queue's and the grids') a key another one there
    has. `elsewhere`: bindings of dialogs and other screens, whose keys only apply there."""
    main = [b for b in main if b.id]
    known = {b.id for b in main} | {b.id for b in elsewhere if b.id}
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            raise KeymapError(
                f'keymap: no binding has the id "{binding_id}" (press ? in the console '
                "for every id)"
            )
        if not _keys(keys):
            raise KeymapError(f'keymap: "{binding_id}" has no key')
    owner: dict[str, str] = {}
    # Unchanged bindings first, so the message names the entry that took a key.
    for binding in sorted(main, key=lambda b: b.id in keymap):
        assert binding.id is not None
        for key in _keys(keymap.get(binding.id, binding.key)):
            holder = owner.setdefault(key, binding.id)
            if holder != binding.id:
                raise KeymapError(
                    f'keymap: "{binding.id}" = "{key}" takes {key} from "{holder}"; '
                    f"choose another key or rebind {holder} too"
                )


def main_bindings() -> list[Binding]:
    """The bindings that can fire on the main screen: the app's, the queue's, the grids'."""
    found: list[Binding] = []
    for source in (APP_BINDINGS, QueuePane.BINDINGS, VirtualGrid.BINDINGS):
        found.extend(b for b in source if isinstance(b, Binding))
    return found


def other_bindings() -> list[Binding]:
    """Bindings of the other screens: their ids may be rebound too."""
    found: list[Binding] = []
    for screen in (
        HelpScreen,
        ReportScreen,
        DetailScreen,
        NoticeScreen,
        NewRequestScreen,
        *DIALOGS,
        *WORK_DIALOGS,
    ):
        found.extend(b for b in screen.BINDINGS if isinstance(b, Binding))
    return found
