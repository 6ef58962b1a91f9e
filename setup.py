"""The default issue templates live at the top of the tree, in templates/issues/, where a
program repository keeps its own; the wheel carries them as `automation.issue_templates`.

pyproject.toml holds everything else; a package whose files sit outside its parent's
folder needs `package_dir`, which cannot be combined there with package discovery.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["automation", "automation.*"]), "automation.issue_templates"],
    package_dir={"automation.issue_templates": "templates/issues"},
)
