"""The catalogue's labels: every category and column an analyst sees has words, not the data file's codes."""

from __future__ import annotations

import pytest

from dashapp.core import catalogue, domain


@pytest.mark.parametrize("column", sorted(domain.CATEGORIES))
def test_every_category_of_every_column_has_a_label(column):
    labels = catalogue.CATEGORY_LABELS[column]
    assert set(domain.CATEGORIES[column]) <= set(labels), column
    for code in domain.CATEGORIES[column]:
        label = catalogue.category_label(column, code)
        # A label is words: capitalised, no code punctuation (admin., basic.9y, blue-collar stays a word).
        assert label[:1].isupper() and not label.endswith(".") and "." not in label, (column, code, label)


def test_job_and_education_codes_read_as_words():
    assert catalogue.category_label("job", "admin.") == "Administrative"
    assert catalogue.category_label("education", "basic.9y") == "Basic (9 years)"
    assert catalogue.category_label("marital", "divorced") == "Divorced or widowed"
    assert catalogue.category_label("poutcome", "nonexistent") == "Not contacted before"


def test_a_value_without_a_label_is_shown_as_it_is():
    assert catalogue.category_label("job", "pilot") == "pilot"
    assert catalogue.category_label("no such column", "x") == "x"


@pytest.mark.parametrize("column", domain.RAW_COLUMNS)
def test_every_column_of_the_data_file_has_a_readable_name(column):
    label = catalogue.column_label(column)
    assert label != column and "." not in label and label[:1].isupper()


def test_column_labels_of_the_socio_economic_indicators_and_imputed_fields():
    assert catalogue.column_label("emp.var.rate") == "Employment variation rate"
    assert catalogue.column_label("job_imputed") == "Job (imputed)"
    assert catalogue.column_label("client_id") == "client_id"
