"""The proxy: routes, the guard pipeline, streaming and upstream clients."""
