"""The Qt-free core: models, parsers, the library store and search.

Nothing under this package may import PySide6; an import-linter contract
(pyproject.toml) and tests/test_architecture.py keep it so.
"""
