"""The Campaign response figures (dashapp/figures/response.py) on views of a response from a small frame."""

from __future__ import annotations

import pytest

from dashapp.analysis.response import response_analysis
from dashapp.figures import SEGMENT_COLOURS, TEMPLATE_NAME
from dashapp.figures.response import (FEW_CLIENTS_SYMBOL, LEVEL_RATE_NAME, SYMBOL, segment_driver_figure,
                                      segment_rate_figure)
from dashapp.views import response as view
from tests.analysis.test_response import GROUPS, N_TRAIN, _frame


@pytest.fixture(scope="module")
def response() -> dict:
    clean, segments = _frame(GROUPS + [(4, "may", 10, 5, "telephone", "success", "2009-05-01", 6)])
    return response_analysis(clean, segments, N_TRAIN)


def test_rate_figure_draws_each_segment_with_its_interval_over_the_base_rate(response):
    rates = view.segment_rates(response, "test")
    figure = segment_rate_figure(rates)
    assert figure.layout.template.layout.font.family  # the studio's template
    assert [trace.name for trace in figure.data] == ["Segment 1", "Segment 2", "Segment 3", "Segment 4"]
    second = figure.data[1]
    cell = rates["segments"][1]
    assert list(second.y) == [pytest.approx(40.0)]
    assert second.error_y.array[0] == pytest.approx(100 * (cell["interval"][1] - 0.4))
    assert second.error_y.arrayminus[0] == pytest.approx(100 * (0.4 - cell["interval"][0]))
    assert second.marker.color == SEGMENT_COLOURS[2]
    assert figure.data[3].marker.symbol == (FEW_CLIENTS_SYMBOL,)  # 10 clients
    assert figure.data[0].marker.symbol == (SYMBOL,)
    base = rates["base"]
    line = next(shape for shape in figure.layout.shapes if shape.type == "line")
    band = next(shape for shape in figure.layout.shapes if shape.type == "rect")
    assert line.y0 == pytest.approx(100 * base["rate"])
    assert (band.y0, band.y1) == (pytest.approx(100 * base["interval"][0]), pytest.approx(100 * base["interval"][1]))
    assert figure.layout.annotations[0].text == f"test period: {base['rate']:.1%}"
    assert "95% interval" in second.hovertemplate and second.customdata[0][5] == pytest.approx(cell["lift"])


def test_rate_figure_of_a_population_without_clients_says_so():
    figure = segment_rate_figure({"population": "test period", "base": {"rate": None, "interval": None},
                                  "segments": []})
    assert not figure.data and "No clients in the test period" in figure.layout.annotations[0].text


def test_driver_figure_groups_segments_per_level_beside_the_levels_rate(response):
    table = view.driver_cells(response, "test", "month")
    figure = segment_driver_figure(table)
    assert figure.layout.template is not None and figure.layout.scattermode == "group"
    assert [trace.name for trace in figure.data] == [LEVEL_RATE_NAME, "Segment 1", "Segment 2", "Segment 3",
                                                     "Segment 4"]
    levels = figure.data[0]
    assert list(levels.x) == ["April", "May"]
    assert list(levels.y) == [pytest.approx(30.0), pytest.approx(100 * 65 / 110)]
    assert list(figure.layout.xaxis.categoryarray) == ["April", "May"]
    segment_three = figure.data[3]
    assert list(segment_three.x) == ["May"] and list(segment_three.y) == [pytest.approx(60.0)]
    assert list(figure.data[4].marker.symbol) == [FEW_CLIENTS_SYMBOL]
    assert figure.data[4].customdata[0][4] == " (few clients)"
    assert figure.layout.xaxis.title.text == "Month of the call (the years pooled)"


def test_driver_figure_of_no_cells_says_so():
    figure = segment_driver_figure({"population": "test period", "driver": "Month of the call", "levels": [],
                                    "cells": []})
    assert not figure.data


def test_figures_use_the_studio_template(response):
    for figure in (segment_rate_figure(view.segment_rates(response, "all")),
                   segment_driver_figure(view.driver_cells(response, "all", "campaign"))):
        assert figure.layout.template.layout.colorway  # the registered template was applied
    assert TEMPLATE_NAME == "studio"
