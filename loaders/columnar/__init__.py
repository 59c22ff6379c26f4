"""Validation by columns: contract CSV files read in blocks of Arrow columns, checked a
column at a time, with the row path (``loaders/validate.py``) as the exact fallback for
every row or block the column checks cannot vouch for (``blocks.py``, ``cells.py``)."""
