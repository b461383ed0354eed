"""Customer mail and voicemail coming into the desk (issue #15).

`console.mail.parsing` is the pure part: bytes in, a typed and safe description out, with
no I/O, no database and no clock of its own. The services that fetch, store and answer
mail will live beside it and may use the store; the parsing never does (an import-linter
contract in pyproject.toml holds it to that).
"""
