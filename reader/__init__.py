"""reader: a keyboard-first terminal reader for tagging passages in news corpora.

The package never does work at import time; `reader.cli` is the entry point.
"""

__version__ = "0.1.0"
