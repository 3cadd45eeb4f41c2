"""A long-running reader of the book (the web server): the current read copy, switched when a writer publishes.

Each request leases the copy current when it starts and keeps it to its end, so an answer is
computed on one version; the next request after a publication gets the new copy. A copy no
longer current is closed when its last lease ends (see store/snapshots.py for how copies are made).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from openbook.errors import BookError
from openbook.store import snapshots
from openbook.store.book import LOCK_WAIT_SECONDS, Book


@dataclass(frozen=True)
class Lease:
    """One request's hold on one version of the book; `book` is shared, take a cursor of it."""

    book: Book
    version: int


class Reader:
    """The book's current read copy, opened once per version and closed when no request uses it."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._switching = threading.Lock()  # one thread opens a new copy; the others wait for it
        self._leases: dict[int, int] = {}
        self._retired: dict[int, Book] = {}
        self._stamp = snapshots.pointer_stamp(self.path)
        self._book = self._first()

    def _first(self) -> Book:
        """The newest copy, made now if the book changed since the last one and no writer holds it;
        while a writer holds a book that has no copy yet, wait for that write to publish one."""
        deadline = time.monotonic() + float(os.environ.get("OPENBOOK_LOCK_WAIT", LOCK_WAIT_SECONDS))
        while True:
            try:
                copy = snapshots.refresh(self.path)
            except OSError:  # a folder readers may not write to: read the book itself, as before copies
                return Book(self.path, read_only=True)
            self._stamp = snapshots.pointer_stamp(self.path)
            if copy is not None:
                return Book(self.path, read_only=True, copy=copy)
            if not self.path.exists() or time.monotonic() > deadline:
                return Book(self.path, read_only=True)  # says why it cannot
            time.sleep(0.2)

    @property
    def book(self) -> Book:
        """The current version's book (for code that reads outside a request)."""
        self.check()
        return self._book

    def changed(self) -> bool:
        """Whether a writer published since this reader last looked (one stat: cheap enough per request)."""
        return snapshots.pointer_stamp(self.path) != self._stamp

    def check(self) -> None:
        """Switch to the newest copy if a writer published one."""
        if snapshots.pointer_stamp(self.path) == self._stamp:
            return
        with self._switching:
            self._switch()

    def _switch(self) -> None:
        stamp = snapshots.pointer_stamp(self.path)
        if stamp == self._stamp:
            return
        copy = snapshots.current(self.path)
        held = self._book.snapshot
        if copy is None or (held is not None and copy.version <= held.version):
            self._stamp = stamp
            return
        try:
            fresh = Book(self.path, read_only=True, copy=copy)
        except BookError:
            return  # pruned or half-written meanwhile: keep the version held, look again next time
        with self._lock:
            old, self._book, self._stamp = self._book, fresh, stamp
            self._retire(old)

    def acquire(self) -> Lease:
        self.check()
        with self._lock:
            book = self._book
            self._leases[id(book)] = self._leases.get(id(book), 0) + 1
        return Lease(book, book.snapshot.version if book.snapshot else 0)

    def release(self, lease: Lease) -> None:
        with self._lock:
            key = id(lease.book)
            self._leases[key] -= 1
            if not self._leases[key]:
                del self._leases[key]
                if key in self._retired:
                    self._retired.pop(key).close()

    def _retire(self, book: Book) -> None:
        if self._leases.get(id(book)):
            self._retired[id(book)] = book
        else:
            book.close()

    def close(self) -> None:
        with self._lock:
            for book in [self._book, *self._retired.values()]:
                book.close()
            self._retired.clear()


class CurrentBook:
    """Stands for the reader's current book wherever code holds one book object (`app.state.book`)."""

    def __init__(self, reader: Reader):
        self._reader = reader

    def __getattr__(self, name: str):
        return getattr(self._reader.book, name)
