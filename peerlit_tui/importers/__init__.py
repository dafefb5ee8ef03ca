"""Importers: one module per export format, plus decoding, sniffing and the pipeline.

Use `read_file` to turn a file into finished records; `format_names` lists the
formats `--format` accepts.
"""

from peerlit_tui.importers.pipeline import FileResult, read_file
from peerlit_tui.importers.registry import format_names

__all__ = ["FileResult", "format_names", "read_file"]
