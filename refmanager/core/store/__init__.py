"""The store: a library file as small parts over one database handle (``db.Db``).

Each part takes the handle, and the parts below it, in its constructor and
never calls back up; ``core/library.py`` composes them.  Bottom to top:
``db`` (connection, transactions), ``schema`` and ``backup`` (the file), ``space`` (a full disk),
``tags``, ``alternatives``, ``files`` (the tables papers read with),
``papers`` (typed papers, row writes), ``sources`` (where a paper came from),
``snapshots`` and ``history`` (undo), ``fts`` (the search index), ``query``,
``planner`` and ``views`` (what the table shows), then the user's actions:
``marking`` (tags, notes, flags, trash), ``editing``, ``merging``,
``splitting``, ``duplicates``, ``attachments``, ``arxiv``, and ``importing``
(with ``matching`` and ``entry_merge``).  See ``docs/design.md``.
"""
