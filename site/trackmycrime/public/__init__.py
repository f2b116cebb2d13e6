"""Pages anyone may read: the start page, the accessibility statement, the health check."""
