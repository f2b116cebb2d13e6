"""The officer side: inbox, case pages, supervisor and admin views."""
