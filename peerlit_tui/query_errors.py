"""The errors of the query language, apart so that evaluators can raise them too.

`peerlit_tui.query` re-exports both: `query.QueryError` is the same class.
"""

from __future__ import annotations


class QueryError(ValueError):
    """A query that cannot be parsed.

    Args:
        message: What is wrong, in words a user can act on (position included).
        position: 0-based character offset in the query where the problem is.
    """

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return self.message


class QueryTimeout(QueryError):
    """A regular expression of the query ran out of time; the search was abandoned.

    Args:
        source: The pattern as typed (between the slashes).
        position: Offset of the term in the query.
    """

    def __init__(self, source: str, position: int) -> None:
        super().__init__(f"the regular expression /{source}/ took too long; simplify it", position)
        self.source = source
