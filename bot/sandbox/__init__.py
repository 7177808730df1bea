"""Local Bot API server that the unmodified bot talks to in tests and the offline sandbox."""
