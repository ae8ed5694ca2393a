"""Read a rendered report back: its tables by id, its elements, its text (stdlib html.parser)."""

from __future__ import annotations

import importlib.util
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

from conftest import REPO


def screenshot_script():
    """scripts/screenshot_report.py as a module: the browser test runs Chromium exactly as it does."""
    spec = importlib.util.spec_from_file_location("screenshot_report", REPO / "scripts" / "screenshot_report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Row:
    attrs: dict[str, str]
    cells: list[str] = field(default_factory=list)


@dataclass
class Page:
    tags: Counter  # start tags seen, by name
    tables: dict[str, list[Row]]  # table id -> rows (thead, tbody and tfoot)
    text: str  # all text content (what a reader sees; script/style bodies excluded)
    ids: set[str]

    def table(self, table_id: str) -> dict[str, list[str]]:
        """Rows keyed by their first cell."""
        return {row.cells[0]: row.cells for row in self.tables[table_id] if row.cells}

    def rows_by(self, table_id: str, attribute: str) -> dict[str, list[str]]:
        return {row.attrs[attribute]: row.cells for row in self.tables[table_id] if attribute in row.attrs}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter = Counter()
        self.tables: dict[str, list[Row]] = {}
        self.ids: set[str] = set()
        self.text: list[str] = []
        self._table: str | None = None
        self._row: Row | None = None
        self._cell: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        self.tags[tag] += 1
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self._table = attrs.get("id", f"table-{len(self.tables)}")
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self._row = Row(attrs)
            self.tables[self._table].append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(self._skip - 1, 0)
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.cells.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def read_page(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return Page(reader.tags, reader.tables, "".join(reader.text), reader.ids)


def money(value: float) -> str:
    """How the report and ``iacgov cost`` text write an amount."""
    return f"${value:,.2f}"
