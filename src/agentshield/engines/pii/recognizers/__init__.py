"""One recognizer class per module; the registry finds them, nothing here lists them."""
