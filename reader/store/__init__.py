"""The only place that talks SQL: `Store` and its repositories, the schema, the store's errors.

Import from here; the modules inside are the store's own business.
"""

from reader.store.database import Store
from reader.store.errors import StaleWriteError, StoreError, StoreWriteError, database_error_reason
from reader.store.schema import database_file_problem

__all__ = ["StaleWriteError", "Store", "StoreError", "StoreWriteError", "database_error_reason", "database_file_problem"]
