"""A keyed, virtualised table: draws only the rows on screen, whatever the row count.

Rows are identified by key (a request or escalation id), never by position: the cursor
follows its key when rows are added, removed or re-ordered. The owner supplies the cells
through a callback, so a per-second tick costs a redraw of the visible lines and nothing
else (no data structure is rebuilt, no query is made).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

Key = Hashable
#: A table narrower than this uses its columns' compact widths.
COMPACT_BELOW = 90


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    #: Cells wide; None takes whatever width is left (one such column at most).
    width: int | None = None
    align: str = "left"
    #: The column is hidden when the table is narrower than this.
    min_table_width: int = 0
    #: Its width when the table is compact (narrower than `COMPACT_BELOW`).
    compact_width: int | None = None
    #: When the table is too narrow for every column, the highest `drop` goes first;
    #: 0 never goes (the flex column keeps `min_width` before anything else gives way).
    drop: int = 0
    #: The flex column's least width: other columns are dropped to keep it.
    min_width: int = 8


#: The cells of one row, by column key.
CellSource = Callable[[Key], dict[str, str]]
#: The component class of each cell, by column key (or "*" for the whole row).
StyleSource = Callable[[Key], dict[str, str]]


def column_layout(columns: Sequence[Column], width: int) -> list[tuple[Column, int]]:
    """The columns shown in `width` cells and their widths: the flex column (if any) gets
    what is left, at least its `min_width`; when that does not fit, columns are dropped by
    `drop`, highest first."""
    compact = width < COMPACT_BELOW
    shown = [c for c in columns if width >= c.min_table_width]

    def size(column: Column) -> int | None:
        return column.compact_width if compact and column.compact_width else column.width

    def needed(cols: list[Column]) -> int:
        # One space after each column; the flex column counts as its least width.
        return sum(size(c) or c.min_width for c in cols) + len(cols)

    while needed(shown) > width:
        droppable = [c for c in shown if c.drop > 0]
        if not droppable:
            break
        shown.remove(max(droppable, key=lambda c: c.drop))
    # Dropping kept the flex column's least width where it could; if even that does not
    # fit, it gets what is left rather than pushing the last columns off the edge.
    flex = max(4, width - sum(size(c) or 0 for c in shown) - len(shown))
    return [(c, size(c) or flex) for c in shown]


class VirtualGrid(ScrollView, can_focus=True):
    """A table over `keys` whose cells come from `cells(key)`."""

    COMPONENT_CLASSES = {
        "grid--header",
        "grid--cursor",
        "grid--cursor-blurred",
        "grid--ok",
        "grid--warning",
        "grid--breached",
        "grid--paused",
        "grid--met",
        "grid--none",
        "grid--emergency",
        "grid--unverified",
        "grid--flash",
        "grid--moved",
        "grid--muted",
        "grid--marked",
    }

    DEFAULT_CSS = """
    VirtualGrid { background: $surface; overflow-x: hidden; }
    VirtualGrid > .grid--header { text-style: bold; background: $panel; color: $text; }
    VirtualGrid > .grid--cursor { background: $accent 60%; text-style: bold; }
    VirtualGrid > .grid--cursor-blurred { background: $accent 25%; }
    VirtualGrid > .grid--ok { color: $success; }
    VirtualGrid > .grid--warning { color: $warning; text-style: bold; }
    VirtualGrid > .grid--breached { color: $error; text-style: bold; }
    VirtualGrid > .grid--paused { color: $text-muted; }
    VirtualGrid > .grid--met { color: $success; }
    VirtualGrid > .grid--none { color: $text-muted; }
    VirtualGrid > .grid--emergency { color: $error; text-style: bold; }
    VirtualGrid > .grid--unverified { color: $warning; text-style: bold italic; }
    VirtualGrid > .grid--flash { background: $error 40%; }
    VirtualGrid > .grid--moved { color: $accent; }
    VirtualGrid > .grid--muted { color: $text-muted; }
    VirtualGrid > .grid--marked { text-style: bold underline; }
    """

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="grid.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="grid.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="grid.page-up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="grid.page-down"),
        Binding("home,g", "first", "First", show=False, id="grid.first"),
        Binding("end,G", "last", "Last", show=False, id="grid.last"),
        Binding("enter", "select", "Detail", id="grid.select", tooltip="Open the selected row"),
    ]

    cursor: reactive[int] = reactive(0, init=False)
    """Index of the highlighted row in `keys`."""

    class Selected(Message):
        """Enter was pressed on a row."""

        def __init__(self, grid: VirtualGrid, key: Key) -> None:
            super().__init__()
            self.grid = grid
            self.key = key

        @property
        def control(self) -> VirtualGrid:
            return self.grid

    class Moved(Message):
        """The cursor moved (by a key, or because the rows changed)."""

        def __init__(self, grid: VirtualGrid) -> None:
            super().__init__()
            self.grid = grid

        @property
        def control(self) -> VirtualGrid:
            return self.grid

    def __init__(
        self,
        columns: Sequence[Column],
        cells: CellSource,
        styles: StyleSource | None = None,
        *,
        empty_text: str = "nothing here",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = list(columns)
        self.cells = cells
        self.styles_of = styles or (lambda _key: {})
        self.keys: list[Key] = []
        self._index: dict[Key, int] = {}
        self.empty_text = empty_text
        self.header_marks: dict[str, str] = {}
        #: Rows marked (space) to act on several at once.
        self.marked: set[Key] = set()
        self._columns_at: tuple[int, list[tuple[Column, int]]] | None = None

    # -- rows ---------------------------------------------------------------------------

    @property
    def cursor_key(self) -> Key | None:
        if 0 <= self.cursor < len(self.keys):
            return self.keys[self.cursor]
        return None

    def index_of(self, key: Key) -> int | None:
        return self._index.get(key)

    def set_keys(self, keys: list[Key]) -> None:
        """Show `keys` in this order; the cursor stays on its key (or its old place)."""
        current = self.cursor_key
        screen_row = self.cursor - int(self.scroll_offset.y)
        self.keys = keys
        self._index = {key: index for index, key in enumerate(keys)}
        self.marked &= self._index.keys()
        self.virtual_size = Size(self.scrollable_content_region.width, len(keys) + 1)
        if current is not None and current in self._index:
            target = self._index[current]
        else:
            target = min(self.cursor, max(0, len(keys) - 1))
        moved = target != self.cursor or current != self.cursor_key
        self.set_reactive(VirtualGrid.cursor, target)
        # Keep the cursor's request on the same screen line when rows above it change.
        self.scroll_to(y=max(0, target - max(0, screen_row)), animate=False, immediate=True)
        self._keep_cursor_visible()
        self.refresh()
        if moved:
            self.post_message(self.Moved(self))

    def move_to(self, key: Key) -> bool:
        """Put the cursor on `key`; False if it is not shown."""
        index = self._index.get(key)
        if index is None:
            return False
        self.cursor = index
        return True

    def toggle_mark(self, key: Key) -> None:
        self.marked ^= {key}
        self.refresh()

    def clear_marks(self) -> None:
        self.marked.clear()
        self.refresh()

    def refresh_keys(self, keys: set[Key]) -> None:
        """Redraw the visible lines of `keys` only."""
        top = int(self.scroll_offset.y)
        for key in keys:
            index = self._index.get(key)
            if index is not None and top <= index < top + self.size.height:
                self.refresh_line(index + 1)  # the header is line 0

    # -- cursor -------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self._keep_cursor_visible()
        self.refresh()
        self.post_message(self.Moved(self))

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.keys) - 1)) if self.keys else 0

    def _keep_cursor_visible(self) -> None:
        page = max(1, self.size.height - 1)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + page:
            self.scroll_to(y=self.cursor - page + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.size.height - 2)

    def action_page_down(self) -> None:
        self.cursor += max(1, self.size.height - 2)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self.keys) - 1

    def action_select(self) -> None:
        if self.cursor_key is not None:
            self.post_message(self.Selected(self, self.cursor_key))

    def on_click(self, event: events.Click) -> None:
        index = int(self.scroll_offset.y) + event.y - 1
        if event.y >= 1 and 0 <= index < len(self.keys):
            self.cursor = index
            if event.chain == 2:
                self.action_select()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.keys) + 1)
        self._keep_cursor_visible()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- drawing ------------------------------------------------------------------------

    @property
    def compact(self) -> bool:
        """True when the table is narrow and its columns use their compact widths."""
        return self.scrollable_content_region.width < COMPACT_BELOW

    def _layout(self, width: int) -> list[tuple[Column, int]]:
        if self._columns_at is not None and self._columns_at[0] == width:
            return self._columns_at[1]
        layout = column_layout(self.columns, width)
        self._columns_at = (width, layout)
        return layout

    def shows(self, key: str) -> bool:
        """True when the column `key` has room at the table's width now."""
        width = self.scrollable_content_region.width
        return any(c.key == key for c, _ in self._layout(width))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        layout = self._layout(width)
        if y == 0:
            header = self.get_component_rich_style("grid--header")
            cells = {c.key: c.label + self.header_marks.get(c.key, "") for c, _ in layout}
            return self._strip(layout, cells, {}, header, width)
        index = int(self.scroll_offset.y) + y - 1
        if not self.keys:
            if y == 1:
                muted = self.get_component_rich_style("grid--muted")
                return Strip([Segment(set_cell_size(f" {self.empty_text}", width), muted)], width)
            return Strip.blank(width, self.rich_style)
        if index >= len(self.keys):
            return Strip.blank(width, self.rich_style)
        key = self.keys[index]
        base = self.rich_style
        if index == self.cursor:
            cursor_class = "grid--cursor" if self.has_focus else "grid--cursor-blurred"
            base = base + self.get_component_rich_style(cursor_class)
        styles = self.styles_of(key)
        if "*" in styles:
            base = base + self.get_component_rich_style(styles["*"])
        cells = self.cells(key)
        if key in self.marked:
            first = layout[0][0].key
            cells = {**cells, first: "● " + cells.get(first, "")}
            base = base + self.get_component_rich_style("grid--marked")
        return self._strip(layout, cells, styles, base, width)

    def _strip(
        self,
        layout: list[tuple[Column, int]],
        cells: dict[str, str],
        styles: dict[str, str],
        base: Style,
        width: int,
    ) -> Strip:
        segments: list[Segment] = []
        used = 0
        for column, column_width in layout:
            text = cells.get(column.key, "")
            if cell_len(text) > column_width:
                text = set_cell_size(text, column_width - 1) + "…"
            elif column.align == "right":
                text = " " * (column_width - cell_len(text)) + text
            else:
                text = set_cell_size(text, column_width)
            style = base
            if column.key in styles:
                style = base + self.get_component_rich_style(styles[column.key], partial=True)
            segments.append(Segment(text, style))
            segments.append(Segment(" ", base))
            used += column_width + 1
        if used < width:
            segments.append(Segment(" " * (width - used), base))
        return Strip(segments).crop(0, width)
