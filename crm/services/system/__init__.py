"""The system: background worker heartbeats (and, later, the jobs they run)."""
