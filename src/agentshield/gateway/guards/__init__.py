"""One module per guard; the pipeline registers them by name."""
