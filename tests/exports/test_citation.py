"""APA citations (the `y c` copy): name particles in the place APA puts them."""

from __future__ import annotations

import pytest

from peerlit_tui.model import Author, Record
from peerlit_tui.services.citation import apa_citation


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        (Author("van der Berg, Jan", "van der Berg", "Jan", True), "van der Berg, J."),
        # RIS/MEDLINE style "Berg, Jan van der": the particles trail the given names.
        (Author("Berg, Jan van der", "Berg", "Jan van der", True), "van der Berg, J."),
        (Author("Dijk, Anna ten", "Dijk", "Anna ten", True), "ten Dijk, A."),
        (Author("Cruz, Maria de la", "Cruz", "Maria de la", True), "de la Cruz, M."),
        (Author("Beethoven, Ludwig van", "Beethoven", "Ludwig van", True), "van Beethoven, L."),
        (Author("Dupont, Jean-Pierre", "Dupont", "Jean-Pierre", True), "Dupont, J.-P."),
        (Author("Vanderbilt, Cornelius", "Vanderbilt", "Cornelius", True), "Vanderbilt, C."),
    ],
)
def test_particles_go_before_the_surname_and_get_no_initials(author: Author, expected: str) -> None:
    record = Record(id="x", title="Peer work", authors=[author], year=2020)
    assert apa_citation(record) == f"{expected} (2020). Peer work."


def test_several_authors_with_particles() -> None:
    record = Record(
        id="x",
        title="Peer work.",
        authors=[
            Author("Berg, Jan van der", "Berg", "Jan van der", True),
            Author("Dijk, A. ten", "Dijk", "A. ten", True),
        ],
        year=2021,
        journal="Journal of Peer Work",
        volume="12",
        issue="3",
        pages="45-67",
        doi="10.5555/x",
    )
    assert apa_citation(record) == (
        "van der Berg, J., & ten Dijk, A. (2021). Peer work. Journal of Peer Work, 12(3), "
        "45–67. https://doi.org/10.5555/x"
    )
