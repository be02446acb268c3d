"""Helpers shared by test modules: scripted servers, prepared specs, processes, builders.

Test modules import from here (or get fixtures from a conftest), never from each other.
Nothing here is collected as a test.
"""
