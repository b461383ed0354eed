"""The shared store: models, migrations, the one write path, queries, demo and simulator.

Imports the domain and SQLAlchemy, never the screen (an import-linter contract).
"""
