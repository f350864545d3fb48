"""The hand-written Operation Focus extract of ``tests/data``, for the batch's own tests."""

from tests.data.conftest import rows, write_extract, write_sqlite  # noqa: F401
