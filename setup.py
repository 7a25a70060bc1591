"""Ships the graph inside the package: the build copies ontology/, data/ and queries/ into
``l2graph/graph/``, so an installed l2graph answers from any directory (see
``l2graph.project.Project.locate``). Everything else is in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

GRAPH = ("ontology", "data", "queries")


class BuildWithGraph(build_py):
    """``build_py``, then the project's graph files into the built package."""

    def run(self) -> None:
        super().run()
        root = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "l2graph" / "graph"
        for part in GRAPH:
            shutil.copytree(root / part, target / part, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithGraph})
