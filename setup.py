"""Package list for setuptools (everything else is in pyproject.toml).

``bluejay_gate.examples`` is not a folder of the package: ``package_dir`` maps it to the
repository's ``examples/``, so the wheel carries the examples `bluejay-gate demo` runs
(``pipx run bluejay-gate demo``) while a clone keeps them at the top. Each folder of
``examples/`` is listed as a (data-only) package with all its files. Package data lives
here only: a ``[tool.setuptools.package-data]`` table would replace this one.
"""

from setuptools import find_namespace_packages, find_packages, setup

EXAMPLES = "bluejay_gate.examples"
examples = [EXAMPLES, *(f"{EXAMPLES}.{name}" for name in find_namespace_packages("examples"))]

setup(
    packages=[*find_packages(include=["bluejay_gate*"]), *examples],
    package_dir={EXAMPLES: "examples"},
    package_data={
        "bluejay_gate": ["py.typed", "emulator/*.yml", "spec/*.json"],
        **{n: ["*"] for n in examples},
    },
)
