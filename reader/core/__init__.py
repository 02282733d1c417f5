"""The library behind reader: config, store, ingest, entities, anchoring, exchange.

Nothing below this package may import Textual: it must work from the CLI and as a library.
"""
