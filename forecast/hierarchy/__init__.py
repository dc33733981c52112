"""Coherent hierarchies: the catalogue's sums per metric and counting basis, and sample paths reconciled to them.

    from forecast.outlook import Outlooks
    outlooks = Outlooks(hierarchy="mint")            # every outlook now adds up within its metric and basis
    coherent = outlooks.coherent("xinjiang-ports", "trains", "reported")  # the sums it is in, reconciled
    coherent.paths.frame(2026)                       # paths × nodes, "…/other-…" the not-itemised parts

:mod:`~forecast.hierarchy.structure` builds the sums and checks them against history,
:mod:`~forecast.hierarchy.projection` projects paths (MinT, OLS, bottom-up; bounded below) and
:mod:`~forecast.hierarchy.coherent` reconciles the paths of one metric and basis year by year, on arrays;
:mod:`forecast.outlook.coherence` applies it to the outlooks.
"""

from forecast.hierarchy.coherent import CoherentPaths, Way, YearNodes, cohere_paths, describe_sums
from forecast.hierarchy.projection import METHODS, reconcile_paths, reconcile_relative_paths, shrunk_covariance
from forecast.hierarchy.structure import Structure, Sum, coherence_table, summing_structure

__all__ = [
    "METHODS",
    "CoherentPaths",
    "Structure",
    "Sum",
    "Way",
    "YearNodes",
    "coherence_table",
    "cohere_paths",
    "describe_sums",
    "reconcile_paths",
    "reconcile_relative_paths",
    "shrunk_covariance",
    "summing_structure",
]
