"""The victim and witness portal."""
