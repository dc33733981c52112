"""Coherent hierarchies: the catalogue's sums per metric and counting basis, and sample paths reconciled to them.

    from forecast.outlook import Outlooks
    outlooks = Outlooks(hierarchy="mint")            # every outlook now adds up within its metric and basis
    coherent = outlooks.coherent("xinjiang-ports", "trains", "reported")  # the sums it is in, reconciled
    coherent.frame(2026)                             # paths × nodes, "…/other-…" the not-itemised parts

:mod:`~forecast.hierarchy.structure` builds the sums and checks them against history,
:mod:`~forecast.hierarchy.reconcile` projects paths (MinT, OLS, bottom-up; bounded below) and
:mod:`~forecast.hierarchy.coherent` applies it to the outlooks of one metric and basis.
"""

from forecast.hierarchy.coherent import Coherent, cohere, describe_sums
from forecast.hierarchy.reconcile import METHODS, reconcile, shrunk_covariance
from forecast.hierarchy.structure import Structure, Sum, coherence_table, summing_structure

__all__ = [
    "METHODS",
    "Coherent",
    "Structure",
    "Sum",
    "cohere",
    "coherence_table",
    "describe_sums",
    "reconcile",
    "shrunk_covariance",
    "summing_structure",
]
