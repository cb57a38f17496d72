"""Persistence: models, repositories, migrations. Knows no web framework."""
