"""Trained artefacts shipped with the engine (see docs/injection.md)."""
