"""The life of index generations: which one is current, who reads which, what clean-up may remove.

Layout of ``index_dir``::

    CURRENT                 name of the generation being served (replaced atomically)
    .lock                   held by the one indexing run writing this folder
    gen-<time>-<rand>/      one complete index (see :mod:`indexer.core.store` for its files)
        manifest.json       written last: a generation without one is incomplete
        readers.lock        every open reader holds a shared lock on it
        REFUSED             present when a reader found the generation damaged, with the reason
    .tmp-gen-…/             a generation being written (never read; removed by the next run)

Rules that keep a served index from being lost:

- a reader (a service, a search from the command line) holds a shared ``flock`` on its generation's
  ``readers.lock`` for as long as it has the generation open; the system releases it when the reader's
  process ends, however it ends;
- clean-up removes a generation only while holding an exclusive lock on that file, so never one that is
  read, and never the current one;
- besides those, clean-up keeps one fallback: the newest earlier generation whose files pass their
  checksums (read only when there is a choice). A generation that failed them is marked ``REFUSED`` and is
  never a fallback.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from indexer.core.errors import IndexBusyError, IndexCorruptError, IndexNotFoundError
from indexer.core.hashing import sha256_file

# 2: keyword index (FTS5); 3: metadata_hash, FTS with content (deletable); 4: documents read without page
# furniture, passages with a kind and a section, embedded with their title and section; 5: editions with their
# catalogue titles; 6: passage vectors stored with their language's mean taken out (language-means.npz).
FORMAT_VERSION = 6
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
READERS_LOCK = "readers.lock"
REFUSED = "REFUSED"
WRITER_LOCK = ".lock"
GENERATION_PREFIX = "gen-"
STAGING_PREFIX = ".tmp-gen-"


@dataclass(frozen=True)
class Manifest:
    format_version: int
    model: str
    dimension: int
    documents: int
    passages: int
    corpus_root: str
    corpus_fingerprint: str
    created_at: str
    checksums: dict[str, str]

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**data)
        except FileNotFoundError:
            raise
        except (OSError, ValueError, TypeError) as exc:
            raise IndexCorruptError(f"unreadable manifest {path}: {exc}") from exc

    def write(self, path: Path) -> None:
        write_atomic(path, json.dumps(asdict(self), indent=2, ensure_ascii=False))


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old content or the new, never a part."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    fsync_dir(path.parent)


def current_generation(index_dir: Path) -> Path | None:
    """The folder ``CURRENT`` names (which may be missing), or ``None`` when it names none."""
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    # A name, not a path: a pointer cannot lead out of the index folder.
    return index_dir / name if name and "/" not in name and name not in (".", "..") else None


def publish(index_dir: Path, generation: Path) -> None:
    """Make ``generation`` the current one, atomically."""
    write_atomic(index_dir / CURRENT, generation.name + "\n")


def complete_generations(index_dir: Path) -> list[Path]:
    """Generations that were finished (they have a manifest), newest first."""
    found = [p for p in index_dir.glob(f"{GENERATION_PREFIX}*") if (p / MANIFEST).is_file()]
    return sorted(found, key=lambda p: p.name, reverse=True)  # names start with their creation time


def check_files(path: Path, manifest: Manifest) -> None:
    """Raise :class:`IndexCorruptError` unless the generation's files match their checksums."""
    if manifest.format_version != FORMAT_VERSION:
        raise IndexCorruptError(
            f"index {path} has format version {manifest.format_version}, this Passerelle reads "
            f"{FORMAT_VERSION}: re-index"
        )
    for name, checksum in manifest.checksums.items():
        if not (path / name).exists() or sha256_file(path / name) != checksum:
            raise IndexCorruptError(f"index {path}: {name} is missing or damaged (checksum mismatch)")


def mark_refused(path: Path, reason: str) -> None:
    """Remember that ``path`` is damaged, so that it is never chosen as a fallback (best effort)."""
    with contextlib.suppress(OSError):  # a read-only index folder: readers still refuse it, by its checksums
        (path / REFUSED).write_text(reason + "\n", encoding="utf-8")


def is_refused(path: Path) -> bool:
    return (path / REFUSED).exists()


# -- readers ---------------------------------------------------------------------------------------------


def hold(path: Path) -> IO[bytes] | None:
    """Take a shared lock on generation ``path`` for a reader; closing the returned file releases it.

    Raises :class:`IndexNotFoundError` when the generation is gone (or was removed while waiting for the
    lock). Returns ``None`` where the lock file cannot be created (a read-only index folder, which no
    clean-up can change either).
    """
    lock_path = path / READERS_LOCK
    try:
        handle = lock_path.open("rb")
    except FileNotFoundError:
        if not path.is_dir():
            raise IndexNotFoundError(f"index generation {path.name} is gone") from None
        try:
            lock_path.touch()
            handle = lock_path.open("rb")
        except OSError:
            return None
    fcntl.flock(handle, fcntl.LOCK_SH)  # waits only while a clean-up holds it to remove the generation
    if not (path / MANIFEST).is_file():
        handle.close()
        raise IndexNotFoundError(f"index generation {path.name} is gone or incomplete (no {MANIFEST})")
    return handle


def _remove_unless_held(path: Path) -> bool:
    """Remove generation ``path`` unless a reader holds it; returns whether it was removed."""
    lock_path = path / READERS_LOCK
    try:
        handle = lock_path.open("ab")
    except OSError:
        shutil.rmtree(path, ignore_errors=True)  # not even a lock file can be made: nobody reads it
        return not path.exists()
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        shutil.rmtree(path, ignore_errors=True)  # under the lock: a reader waiting for it then sees it gone
    return not path.exists()


# -- the writer's side -----------------------------------------------------------------------------------


def lock_for_writing(index_dir: Path) -> IO[str]:
    """Hold the exclusive writer's lock of ``index_dir`` (closing the returned file releases it)."""
    handle = (index_dir / WRITER_LOCK).open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise IndexBusyError(f"another indexing run is writing {index_dir}; try again when it has finished") \
            from None
    return handle


def _intact(path: Path) -> bool:
    """Whether ``path`` can serve as a fallback: complete, not refused, its files matching their checksums."""
    if is_refused(path):
        return False
    try:
        check_files(path, Manifest.read(path / MANIFEST))
    except (IndexCorruptError, OSError) as exc:
        mark_refused(path, str(exc))
        return False
    return True


def remove_leftovers(index_dir: Path) -> list[str]:
    """Remove half-written generations and those nobody needs; returns the names removed.

    Kept: the current generation, every generation a reader holds, and the newest intact earlier one (the
    fallback should the current one be damaged). The caller holds the writer's lock.
    """
    removed: list[str] = []
    for staging in index_dir.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(staging, ignore_errors=True)
        removed.append(staging.name)
    current = current_generation(index_dir)
    fallback_found = False
    earlier = sorted((p for p in index_dir.glob(f"{GENERATION_PREFIX}*") if p.is_dir() and p != current),
                     key=lambda p: p.name, reverse=True)
    for position, generation in enumerate(earlier):
        complete = (generation / MANIFEST).is_file() and not is_refused(generation)
        # Checksums are read only to choose between candidates: the last one is kept unread (a reader checks
        # it before serving it), so the usual run, with one earlier generation, reads no index file.
        last_choice = position == len(earlier) - 1
        if not fallback_found and complete and (last_choice or _intact(generation)):
            fallback_found = True
            continue
        if _remove_unless_held(generation):
            removed.append(generation.name)
    return removed
