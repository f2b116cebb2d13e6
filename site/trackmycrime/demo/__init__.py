"""`tmc demo`: a fresh SQLite database, seeded data, a mail catcher, and the site."""
