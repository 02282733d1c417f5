"""Subcommands of `reader` that live in modules of their own; each registers itself on `main`.

Importing this package registers them; it never runs one.
"""
