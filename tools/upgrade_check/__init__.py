"""The course on the newest releases of its pinned packages (`make upgrade-check`).

How to run it and what it does: __main__.py (`python -m upgrade_check`).
"""
