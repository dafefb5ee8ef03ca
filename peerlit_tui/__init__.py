"""peerlit: screen and annotate literature search exports in the terminal."""

__version__ = "0.1.0"
