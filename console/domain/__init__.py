"""The support policy as pure code: no I/O, no system clock, no screen, no database."""
