"""pandas frames as typed SQLAlchemy Core tables: SQL-safe column names, a SQL type per column from its dtype (not
pandas' ``to_sql`` guesses), and the rows as the database driver takes them. Used by :mod:`dashapp.results.sql_export`.

Names: lower case, every run of characters other than letters, digits and ``_`` becomes one ``_``
(``emp.var.rate`` -> ``emp_var_rate``), an SQL keyword gets a name of its own (``default`` ->
``credit_default``), a leading digit a ``c_``. Types: integers ``INTEGER`` (``BIGINT`` beyond 32 bits), floats
``DOUBLE PRECISION``, dates without a time ``DATE``, other datetimes ``TIMESTAMP`` (with time zone when aware),
lists ``JSON``, categories and strings ``TEXT``; a column without a missing value is ``NOT NULL``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import sqlalchemy as sa

#: Names that are SQL keywords, and what they become.
_KEYWORD_RENAMES = {"default": "credit_default"}
_INT32 = np.iinfo(np.int32)


def sql_column_name(column: str) -> str:
    """A name safe to type unquoted in SQL (``emp.var.rate`` -> ``emp_var_rate``, ``default`` ->
    ``credit_default``); see the module docstring for the rule."""
    name = re.sub(r"[^0-9a-z_]+", "_", column.lower()).strip("_")
    name = _KEYWORD_RENAMES.get(name, name)
    return f"c_{name}" if not name or name[0].isdigit() else name


def safe_column_names(frame: pd.DataFrame, renames: dict[str, str] | None = None) -> pd.DataFrame:
    """``frame`` with :func:`sql_column_name` names (or the name ``renames`` gives a column).

    Raises
    ------
    ValueError
        If two columns would get the same name.
    """
    renames = renames or {}
    names = {column: renames.get(column, sql_column_name(column)) for column in frame.columns}
    seen: dict[str, str] = {}
    for column, name in names.items():
        if name in seen:
            raise ValueError(f"columns {seen[name]!r} and {column!r} would both be called {name!r} in SQL")
        seen[name] = column
    return frame.rename(columns=names)


def _is_list_column(series: pd.Series) -> bool:
    sample = series.dropna()
    return len(sample) > 0 and isinstance(sample.iloc[0], (list, tuple, np.ndarray, dict))


def _sql_type(series: pd.Series) -> sa.types.TypeEngine:
    """The SQL type of one column, from its dtype (and, for integers and datetimes, its values)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return sa.Boolean()
    if pd.api.types.is_integer_dtype(dtype):
        values = series.dropna()
        fits = values.empty or (values.min() >= _INT32.min and values.max() <= _INT32.max)
        return sa.Integer() if fits else sa.BigInteger()
    if pd.api.types.is_float_dtype(dtype):
        return sa.Double()
    if pd.api.types.is_datetime64_any_dtype(dtype):
        timezone_aware = getattr(dtype, "tz", None) is not None
        values = series.dropna()
        if not timezone_aware and (values.empty or (values == values.dt.normalize()).all()):
            return sa.Date()
        return sa.DateTime(timezone=timezone_aware)
    if _is_list_column(series):
        return sa.JSON()
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(dtype) \
            or pd.api.types.is_string_dtype(dtype):
        return sa.Text()
    raise TypeError(f"column {series.name!r} has a type ({dtype}) the export does not map to SQL")


def _json_list(value) -> list:
    """A list for a JSON column, a missing number (NaN, e.g. the share of a cluster the sample left empty) as null:
    JSON has no NaN, and PostgreSQL refuses the ``NaN`` Python's json module writes."""
    return [None if isinstance(item, float) and not np.isfinite(item) else item
            for item in np.asarray(value).tolist()]


def _python_values(series: pd.Series, sql_type: sa.types.TypeEngine) -> list:
    """The column's values as the driver takes them: Python ints, floats, dates, strings, lists; None for missing."""
    missing = series.isna().to_numpy()
    if isinstance(sql_type, sa.JSON):
        return [None if value is None else _json_list(value) for value in series]
    if isinstance(sql_type, sa.Date):
        values = [timestamp.date() for timestamp in series.dt.to_pydatetime()] if not missing.any() else \
            [None if gone else value.date() for gone, value in zip(missing, series)]
        return values
    if isinstance(sql_type, sa.DateTime):
        return [None if gone else pd.Timestamp(value).to_pydatetime() for gone, value in zip(missing, series)]
    if isinstance(sql_type, (sa.Integer, sa.Boolean, sa.Double)):
        kind = bool if isinstance(sql_type, sa.Boolean) else int if isinstance(sql_type, sa.Integer) else float
        if not missing.any():
            return series.to_numpy(dtype=np.dtype(kind)).tolist()
        return [None if gone else kind(value) for gone, value in zip(missing, series.to_numpy(dtype=object))]
    if isinstance(series.dtype, pd.CategoricalDtype):
        # One str per category, picked by code (-1, missing, picks the None at the end): 40 times faster.
        labels = np.array([str(category) for category in series.cat.categories] + [None], dtype=object)
        return labels[series.cat.codes.to_numpy()].tolist()
    return [None if gone else str(value) for gone, value in zip(missing, series.to_numpy(dtype=object))]


def typed_table(metadata: sa.MetaData, name: str, frame: pd.DataFrame, primary_key: tuple[str, ...],
           primary_key_name: str | None) -> tuple[sa.Table, dict[str, list]]:
    """A typed Core table for ``frame`` named ``name``, and its values by column as Python objects."""
    columns, values = [], {}
    for column, series in frame.items():
        sql_type = _sql_type(series)
        columns.append(sa.Column(column, sql_type, nullable=bool(series.isna().any()), autoincrement=False))
        values[column] = _python_values(series, sql_type)
    table = sa.Table(name, metadata, *columns, sa.PrimaryKeyConstraint(*primary_key, name=primary_key_name))
    return table, values


def bound_rows(dialect: sa.Dialect, table: sa.Table, values: dict[str, list]) -> list[tuple]:
    """One tuple per row, in the table's column order, each column's values bound by its type for ``dialect``.

    SQLAlchemy's executemany binds parameters row by row in Python (4 of the 5 seconds the clients took on
    SQLite); here each column goes through its type's bind processor (dates as SQLite stores them, JSON ...)
    once, as a list.
    """
    bound = []
    for column in table.columns:
        processor = column.type.dialect_impl(dialect).bind_processor(dialect)
        column_values = values[column.name]
        bound.append(column_values if processor is None else
                     [None if value is None else processor(value) for value in column_values])
    return list(zip(*bound))
