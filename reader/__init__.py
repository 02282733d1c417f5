"""reader: a keyboard-first terminal reader for tagging passages in news corpora.

The package never does work at import time; `reader.cli` is the entry point.
"""

__version__ = "0.1.0"

#: The name reader is installed under (pyproject.toml): `reader` on the package index is an
#: unrelated feed-reader library with the same import name.
DISTRIBUTION = "newsreader-tui"
