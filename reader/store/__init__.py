"""The only place that talks SQL: `Store` and its repositories, the schema, the store's errors.

Import from here; the modules inside are the store's own business. Names load on first use, so a
command that needs only one corner of the store (agreement's kept sums) does not load it all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reader.store.database import Store
    from reader.store.errors import StaleWriteError, StoreError, StoreWriteError, database_error_reason
    from reader.store.schema import database_file_problem

__all__ = ["StaleWriteError", "Store", "StoreError", "StoreWriteError", "database_error_reason", "database_file_problem"]

_HOMES = {
    "Store": "reader.store.database",
    "StaleWriteError": "reader.store.errors",
    "StoreError": "reader.store.errors",
    "StoreWriteError": "reader.store.errors",
    "database_error_reason": "reader.store.errors",
    "database_file_problem": "reader.store.schema",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'reader.store' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(home), name)
