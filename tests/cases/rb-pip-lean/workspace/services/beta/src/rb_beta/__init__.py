"""rb-beta."""
