"""Switchboard: the dispatchers' console of a support desk."""

__version__ = "0.1.0"
