"""How far a long scan is, for a person watching a terminal.

The engine and the parsers call :func:`say` (a phase starts) and
:class:`Counter` (items of a phase done); nothing listens unless a command
asks, so a library user or a test sees nothing and pays a function call. The
command line listens with :func:`on_terminal`: on standard error, only when
it is a terminal (never in CI logs, pipes or files), only once the scan has
taken half a second (a pre-commit run stays silent), as one line rewritten in
place and erased before the report is written.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Callable, Iterator, TextIO

Listener = Callable[[str], None]
_listeners: list[Listener] = []


def say(message: str) -> None:
    """Tell whoever listens what the scan is doing now."""
    for listener in _listeners:
        listener(message)


class Counter:
    """``done`` of ``total`` items of one phase, said at most every ``every`` seconds."""

    __slots__ = ("what", "total", "done", "every", "_last")

    def __init__(self, what: str, total: int, every: float = 0.2) -> None:
        self.what, self.total, self.done, self.every = what, total, 0, every
        # The opening "0 of N" counts as said now: the first throttle interval
        # runs from the counter's creation, not from the clock's origin (which
        # is the machine's boot for time.monotonic()).
        self._last = time.monotonic()
        if _listeners and total:
            say(f"{what}: 0 of {total:,}")

    def advance(self, count: int = 1) -> None:
        self.done += count
        if not _listeners:
            return
        now = time.monotonic()
        if now - self._last >= self.every or self.done >= self.total:
            self._last = now
            say(f"{self.what}: {self.done:,} of {self.total:,}")


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


@contextmanager
def on_terminal(stream: TextIO, enabled: bool = True, delay: float = 0.5) -> Iterator[None]:
    """Show progress on ``stream`` while the block runs, if it is a terminal."""
    try:
        interactive = enabled and stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real stream
        interactive = False
    if not interactive:
        yield
        return
    started = time.monotonic()
    shown = False

    def show(message: str) -> None:
        nonlocal shown
        if time.monotonic() - started < delay:
            return
        stream.write(f"\r\x1b[Kiacgov: {message}"[:200])
        stream.flush()
        shown = True

    try:
        with listening(show):
            yield
    finally:
        if shown:
            stream.write("\r\x1b[K")
            stream.flush()
