"""How the suite builds the UCI archive's 10% sample (``bank-additional.csv``) to test what a build does:
reproducible, atomic, early, sampled, on Dask, from SQL, at another k.

Such a build is the quick build with t-SNE maps of 50 clients, the command line's least, instead of 300: the maps
are the quick build's largest cost that does not shrink with the rows (60 of them, a third to a half of a build of
the sample), and no test of how the build behaves reads what they show. The UCI file's quick build
(``quick_model_dir``) keeps the quick mode exactly as ``--quick`` makes it.
"""

from __future__ import annotations

from dashapp.analysis.build import BuildParameters

#: Clients per t-SNE map in the suite's builds of the sample (``--tsne-sample``'s least).
SAMPLE_TSNE = 50
#: The build command's options for one: with ``--data`` the sample, or a table that holds it.
SAMPLE_OPTIONS = ("--quick", "--tsne-sample", str(SAMPLE_TSNE))


def sample_parameters(**options) -> BuildParameters:
    """The :class:`BuildParameters` of the suite's builds of the sample (``options``: ``fit_sample``, ``final_k``)."""
    return BuildParameters.for_mode("quick", tsne_sample=SAMPLE_TSNE, **options)
