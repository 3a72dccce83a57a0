"""Alembic revision scripts of run storage, oldest first (Alembic skips this file).

A package, so that a wheel ships the scripts as ordinary modules.
"""
