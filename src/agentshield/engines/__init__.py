"""Pure detection and decision logic: no web framework, no database, no settings."""
