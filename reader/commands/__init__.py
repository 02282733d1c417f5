"""The `reader` command's subcommands, one module per family (corpus, exchange, entities, agreement,
stats, the reader screen itself), and what they share (context, output).

Each module defines its commands; reader/cli.py assembles them into the group. Nothing here runs one.
"""
