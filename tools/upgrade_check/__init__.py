"""`make upgrade-check`: the course on the newest releases of its pins (see __main__.py)."""
