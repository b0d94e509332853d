"""Domain operations shared by views, CLI, admin and API. Services flush; callers commit."""
