"""Files and database rows that share one fate.

A document is two writes: its bytes to the storage (local disk or S3), its row to the database.
The storage cannot take part in the database transaction, so `atomic_with_files` records every
file written inside it (`file_written`) and deletes them again when the block does not commit —
an error after the write, or the database connection lost in the middle of an upload, COMMIT
included (issue 8, "Faults"). No row without its file, and no file without its row.

Limit: a block nested in another transaction that is not an `atomic_with_files` cannot know
whether the outer transaction will commit; its files are only removed if the inner block fails.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models.fields.files import FieldFile

logger = logging.getLogger(__name__)

_written: ContextVar[list[tuple[object, str]] | None] = ContextVar("files_written", default=None)


def file_written(field_file: FieldFile) -> None:
    """Note a file just saved to its storage, for the enclosing `atomic_with_files`."""
    written = _written.get()
    if written is not None:
        written.append((field_file.storage, field_file.name))


@contextmanager
def atomic_with_files() -> Iterator[None]:
    """`transaction.atomic()` whose stored files are deleted if it does not commit."""
    outer = _written.get()
    written: list[tuple[object, str]] = [] if outer is None else outer
    mark = len(written)
    token = _written.set(written) if outer is None else None
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for storage, name in written[mark:]:
            try:
                storage.delete(name)
            except Exception:  # the storage may be the part that failed: log and go on
                logger.exception("Could not delete %s after a failed transaction", name)
        del written[mark:]
        raise
    finally:
        if token is not None:
            _written.reset(token)
