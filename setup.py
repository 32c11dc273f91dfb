"""The one compiled module (everything else is in pyproject.toml): the matcher's pairing passes
in C. graph/match/fast_scoring.py falls back to their Python twin when it is missing; the
compiler is the one PyICU's build needs already."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("supplygraph.graph.match._pairing", sources=["graph/match/_pairing.c"]),
    ]
)
