"""bluejay-gate: a CI/CD quality gate for voice and chat agents tested on Bluejay."""

__version__ = "0.1.0"
