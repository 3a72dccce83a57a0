"""The berth version, shared by every package and reported by servers."""

__version__ = "0.1.0"
