"""Crisis mode (PU-12): while a crisis is declared every outgoing word waits for the
crisis leader, scheduled posts are paused, and a crisis log records what went out."""
