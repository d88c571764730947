"""Pure renderers: plan in, text out, everything sorted."""
