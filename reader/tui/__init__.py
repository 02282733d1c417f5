"""The Textual interface: screens and Line-API widgets over `reader.core`.

It never writes SQL; every read and write goes through `reader.store.Store`.
"""
