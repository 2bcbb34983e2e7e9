"""Reading attached PDFs with QtPdf (Qt's own PDF engine, PDFium), without widgets.

``extract``: a PDF's text page by page and its metadata, or one clear message (runs in a
worker process: ``python -m refmanager.pdf.extract``).  ``worker``: that process seen from
the index run, with a time and memory bound per file and recycled every few files.
``index_child``: the full-text index run over a library's attachments, in a process of its
own like an import (``core/import_child.py``), or in the command line's.
``metadata`` (QtPdf, in a reader process), ``guess`` (no Qt) and ``intake``: a dropped PDF's
arXiv id, DOI, title and authors with confidences, and the drop made papers (issue 19).

A layer beside ``core.import_child`` (pyproject's layers contract): it may use the library
front and everything below it; the core never imports it, and it never imports the GUI.
"""
