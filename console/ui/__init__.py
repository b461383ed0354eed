"""The dispatcher console (Textual)."""
