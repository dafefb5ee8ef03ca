"""Plain objects the main screen owns, one per job: filtering, annotating, screening.

Each controller is handed what it works on (widgets, a services getter, callables to
run a worker or post a message) in its constructor, so it can be read and tested on
its own; none subclasses a Textual class, and none reaches another through the screen.
"""
