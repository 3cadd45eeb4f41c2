"""Read copies of the book: how the server, CLI reads and notebooks keep working while a process writes.

DuckDB lets one process hold a database file for writing and then refuses every other process,
readers included; and a reader that holds the file keeps every writer out. So readers never hold
the book while it may be written. A writer, when it closes, checkpoints the book and copies it to
an immutable `<book>.read/<version>.duckdb`, then switches the `current` pointer file by an atomic
rename; readers open the current copy READ_ONLY and move to a newer one when the pointer changes
(one `stat` per request). A reader therefore sees the old version or the new one, never a mix.
A reader that finds no copy as new as the book (a writer was killed, or the book predates read
copies) makes one itself while no writer holds the book: it copies the book and its WAL under
DuckDB's shared lock, which keeps writers out for the length of the copy. The newest KEEP copies
are kept; older ones are deleted (on POSIX a reader that still has one open reads on regardless).
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from openbook.errors import BookError

KEEP = 3
POINTER = "current"
STALE_PART_SECONDS = 600  # a `.part` untouched this long was left by a killed copier


@dataclass(frozen=True)
class Snapshot:
    """One read copy: its version (1, 2, …), its file, and the book's file stamp when it was copied."""

    version: int
    path: Path
    book_stamp: list


def folder(book: Path) -> Path:
    return book.with_name(book.name + ".read")


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def book_stamp(book: Path) -> list:
    """Size and modification time of the book and of its WAL: any committed write changes one."""
    stamp = []
    for path in (book, _wal(book)):
        try:
            info = path.stat()
            stamp += [info.st_size, info.st_mtime_ns]
        except FileNotFoundError:
            stamp += [-1, -1]
    return stamp


def pointer_stamp(book: Path) -> tuple | None:
    """What changes when a writer switches the pointer: the cheap check readers make per request."""
    try:
        info = (folder(book) / POINTER).stat()
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def current(book: Path) -> Snapshot | None:
    """The copy the pointer names, or None when there is none (or it has gone)."""
    try:
        held = json.loads((folder(book) / POINTER).read_text(encoding="utf-8"))
        snapshot = Snapshot(int(held["version"]), folder(book) / str(held["file"]), list(held["book"]))
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None
    return snapshot if snapshot.path.exists() else None


def is_fresh(book: Path, snapshot: Snapshot | None) -> bool:
    """Whether the copy holds everything the book holds (the book is unchanged since it was copied)."""
    return snapshot is not None and snapshot.book_stamp == book_stamp(book)


def is_locked(error: Exception) -> bool:
    """DuckDB's refusal because another process holds the file."""
    return "conflicting lock" in str(error).lower()


def publish(book: Path) -> Snapshot:
    """Copy the book (and any WAL) to a new version and make it current.

    The caller keeps writers out meanwhile: a writer that has checkpointed, or a reader holding
    DuckDB's shared lock. The copy is written under a unique `.part` name, flushed, renamed into
    place, and only then named by the pointer, itself replaced by a rename: a kill at any point
    leaves the previous version current.
    """
    target = folder(book)
    target.mkdir(exist_ok=True)
    _clear_parts(target)
    stamp = book_stamp(book)
    version = 1 + max([_version_of(p) for p in target.glob("*.duckdb")] + [0])
    name = f"{version:08d}.duckdb"
    part = target / f"{name}.{uuid.uuid4().hex}.part"
    _copy(book, part)
    wal = _wal(book)
    if wal.exists() and wal.stat().st_size:
        _copy(wal, _wal(part))
        os.replace(_wal(part), _wal(target / name))
    os.replace(part, target / name)
    pointer = target / f"{POINTER}.{uuid.uuid4().hex}.part"
    with open(pointer, "w", encoding="utf-8") as out:
        json.dump({"version": version, "file": name, "book": stamp}, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(pointer, target / POINTER)
    _prune(target, version)
    return Snapshot(version, target / name, stamp)


def refresh(book: Path) -> Snapshot | None:
    """The current copy, first made afresh if the book changed since and no writer holds it now.

    Returns the newest copy there is: a stale one while a writer holds the book (its commit
    will publish a newer one), or None when there is none at all and the book is held.
    """
    snapshot = current(book)
    if is_fresh(book, snapshot) or not book.exists():
        return snapshot
    try:
        hold = duckdb.connect(str(book), read_only=True)  # DuckDB's shared lock: no writer meanwhile
    except duckdb.Error as error:
        if is_locked(error):
            return snapshot
        raise BookError(f"cannot open the book {book}: {error}") from None
    try:
        return publish(book)
    finally:
        hold.close()


def _copy(source: Path, target: Path) -> None:
    with open(source, "rb") as read, open(target, "wb") as write:
        shutil.copyfileobj(read, write, 1 << 22)
        write.flush()
        os.fsync(write.fileno())


def _version_of(path: Path) -> int:
    try:
        return int(path.stem)
    except ValueError:
        return 0


def _clear_parts(target: Path) -> None:
    cutoff = time.time() - STALE_PART_SECONDS
    for part in target.glob("*.part"):
        try:
            if part.stat().st_mtime < cutoff:
                part.unlink()
        except OSError:
            pass


def _prune(target: Path, newest: int) -> None:
    """Delete copies older than the newest KEEP; one still open elsewhere is left for the next writer
    (Windows refuses to delete an open file; POSIX deletes the name and the reader reads on)."""
    for path in target.glob("*.duckdb"):
        if 0 < _version_of(path) <= newest - KEEP:
            for old in (path, _wal(path)):
                try:
                    old.unlink(missing_ok=True)
                except OSError:
                    pass
