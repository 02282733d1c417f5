"""Moving annotations in and out of reader: one module per format, each reads and writes.

Exchange modules read the store's public methods only; they never issue SQL themselves.
"""
