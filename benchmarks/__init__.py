"""Benchmarks: each a script (`python benchmarks/NAME.py`) that prints one JSON line last.

`desks.py` holds what they share (a throw-away database, a small desk); `scale/` holds the
parts of `console_scale.py`.
"""
