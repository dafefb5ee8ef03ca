"""Screens of the app: the main screen and the modal dialogs pushed over it."""
