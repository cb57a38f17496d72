"""Metadata-only scan telemetry: events, their configuration and the batching client."""
