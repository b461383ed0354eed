"""The parts of `benchmarks/console_scale.py`, one concern each."""
