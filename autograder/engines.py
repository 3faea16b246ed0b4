"""One SQLAlchemy engine per gradebook URL in a worker (speed).

nbgrader opens a new :class:`nbgrader.api.Gradebook` about ten times per
notebook it autogrades, and each one creates a new engine: SQLAlchemy then
compiles every statement again (its compiled cache belongs to an engine) and
reads the schema again. :func:`share` makes ``nbgrader.api`` reuse one engine
per URL in this process; ``Gradebook.close`` still disposes it (its pool is
emptied, the engine and its caches stay). :func:`reset` drops them all: the
worker calls it whenever it lays down a fresh copy of its private gradebook.
(A profile of a worker on assignment 1 showed nbgrader's 130 ``Gradebook``
openings for 13 notebooks taking 2.5 s under load; ``make bench`` measures
the worker as a whole.)
"""
from __future__ import annotations

_engines: dict = {}


def share():
    """Make ``nbgrader.api`` create one engine per URL (idempotent)."""
    import nbgrader.api as api
    from sqlalchemy import create_engine

    if getattr(api.create_engine, "_shared", False):
        return

    def shared_engine(url, *args, **kwargs):
        key = (str(url), args, tuple(sorted(kwargs.items())))
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = create_engine(url, *args, **kwargs)
        return engine

    shared_engine._shared = True
    api.create_engine = shared_engine


def reset():
    """Dispose of and forget every shared engine."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
