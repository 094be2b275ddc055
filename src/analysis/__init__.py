"""exodus: where a paper's authors went after publication.

Data flows one way: CSV -> :func:`load_cohort` -> :mod:`analysis.metrics`
-> :mod:`analysis.charts` / :mod:`analysis.tables` -> notebook ->
:mod:`analysis.render`.

``load_cohort`` and ``CohortError`` are imported on first use, so that the
command line (``python -m analysis``) starts without pandas.
"""

__all__ = ["CohortError", "load_cohort", "SUMMARY_MIME"]

SUMMARY_MIME = "application/vnd.exodus.summary+json"
"""MIME type of the headline figures the report notebook emits and the renderer reads (``summary.json``)."""


def __getattr__(name: str):
    if name in ("CohortError", "load_cohort"):
        from . import cohort

        return getattr(cohort, name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
