"""Build settings that pyproject.toml cannot express; everything else is in pyproject.toml.

1. The course's content stays where docs/architecture.md puts it (``lessons/``, ``reports/``, ``data/`` at
   the repository's root) and ships inside the package as ``crmlab.lessons``,
   ``crmlab.report_templates`` and ``crmlab.sample_data`` (``CONTENT``), so an installed
   ``crmlab`` finds it with ``importlib.resources`` wherever it runs. The package list is found
   here (``find_packages``) so that a new ``crmlab`` sub-package needs no entry.
2. setuptools' editable install means to install ``data-files`` but asks the distribution for
   ``has_data()``, which does not exist (the method is ``has_data_files``), so it silently skips
   them; ``_Distribution`` answers it. That puts JupyterLab's Chinese default
   (``share/jupyter/lab/settings/overrides.json``) in place for ``pip install -e .`` too.
"""

from setuptools import find_packages, setup
from setuptools.dist import Distribution

CONTENT = {
    "crmlab.lessons": "lessons",
    "crmlab.report_templates": "reports",
    "crmlab.sample_data": "data",
}


class _Distribution(Distribution):
    def has_data(self) -> bool:  # asked by setuptools' editable_wheel for data-files
        return self.has_data_files()


setup(
    distclass=_Distribution,
    packages=[*find_packages(include=["crmlab", "crmlab.*"]), *CONTENT],
    package_dir=CONTENT,
)
