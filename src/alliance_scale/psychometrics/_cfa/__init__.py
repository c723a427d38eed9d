"""CFA engine (placeholder for the ordinal sample statistics; the engine brings its own)."""
