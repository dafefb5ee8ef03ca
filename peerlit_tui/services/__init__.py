"""Services: the use cases the command line and the TUI share (library, search, annotations)."""
