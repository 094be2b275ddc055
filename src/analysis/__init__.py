"""exodus: where a paper's authors went after publication.

Data flows one way: CSV -> :func:`load_cohort` -> :mod:`analysis.metrics`
-> :mod:`analysis.charts` / :mod:`analysis.tables` -> notebook ->
:mod:`analysis.render`.
"""

from .cohort import CohortError, load_cohort

__all__ = ["CohortError", "load_cohort"]
