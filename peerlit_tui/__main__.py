"""`python -m peerlit_tui` runs the command line."""

from peerlit_tui.cli import main

raise SystemExit(main())
