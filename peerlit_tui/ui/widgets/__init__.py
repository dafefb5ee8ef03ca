"""Widgets of the main screen; each owns its part of the screen and reports with messages."""
