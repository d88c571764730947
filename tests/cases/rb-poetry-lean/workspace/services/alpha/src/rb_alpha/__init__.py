"""rb-alpha."""
