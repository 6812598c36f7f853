"""Expert opinions (avis) on a dossier (issue 20, instruction workbench).

An agent asks a question on a dossier to another agent of the same prefecture, or to a named
outside service (free text: the asking agent pastes its answer when it comes); the answer is
text with an optional file through the one upload pipeline (anef/uploads.py). States: asked →
answered / withdrawn.

Opinions are for the agents of the prefecture that asked only: never in the person's, their
helper's or the contact centre's pages, nor the applicant API (they are read only through
`selectors.opinion_list_visible_to`, which finds nothing for anyone else).
"""
