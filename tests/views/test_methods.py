"""The Methods page's sentences follow the facts the build computed."""

from __future__ import annotations

import pytest

from dashapp.views import methods

FACTS = {
    "k_choice": {"final_silhouette_by_k": {str(k): 0.5 + 0.03 * k for k in range(2, 16)},
                 "knees": {"configurations": 48, "with_knee": 47, "min": 5, "max": 12, "median": 8.0},
                 "best_other_at_final_k": {"config_id": "raw-p4-no_socio", "silhouette": 0.311}},
    "unknown_loans": {
        "housing": {"unknown": 990, "became_no": 939, "became_yes": 51, "known_yes_rate": 0.5367,
                    "segments": {"1": 29, "2": 0, "3": 939, "4": 22}},
        "loan": {"unknown": 990, "became_no": 990, "became_yes": 0, "known_yes_rate": 0.1554,
                 "segments": {"1": 29, "2": 0, "3": 939, "4": 22}}},
    "outcome_in_grid": {"all": True, "no_socio": True, "final": False},
    "outcome_in_imputation": {"population": "all",
                              "train": {"clients": 28831, "with_gaps": 938, "flipped": 64, "without_outcome": 6},
                              "test": {"clients": 12357, "with_gaps": 377, "flipped": 29, "without_outcome": 18}},
    "elbows": {"curves": 48, "rising": 15, "rising_configurations": [], "largest_rise": 0.0536, "n_init": 2,
               "final_curves": 24, "final_rising": 0},
}
STABILITY = {"resamples": 100, "train_clients": 28831, "lands_on": {"published": 80, "alternative": 15, "other": 5},
             "ari": {"median": 1.0, "min": 0.55, "max": 1.0}, "alternative": {"inertia_gap": 0.006}}
CLASSIFIER = {"train_rows": 28831, "test_rows": 12357, "tree": {"accuracy": 0.987}, "logistic": {"accuracy": 0.95}}
EVALUATION = {"methods": FACTS, "stability": STABILITY, "classifier": CLASSIFIER}


def test_every_section_has_an_anchor_a_title_and_sentences():
    sections = methods.methods_sections(EVALUATION)
    assert [s.anchor for s in sections] == [methods.K_CHOICE, methods.UNKNOWN_LOANS, methods.OUTCOME_IN_GRID,
                                            methods.ELBOWS, methods.STABILITY, methods.DIFFERENCES]
    assert all(s.title and s.sentences for s in sections)
    assert methods.methods_href(methods.ELBOWS) == "/methods#elbows"


def test_the_k_choice_quotes_the_final_spaces_silhouettes_and_the_knees():
    text = " ".join(methods.k_choice_section(FACTS["k_choice"]).sentences)
    assert "0.56, 0.59, 0.62, 0.65, 0.68 for k = 2..6" in text
    assert "between k = 5 and k = 12" in text and "0.31" in text and "raw-p4-no_socio" in text


def test_the_unknown_loans_are_counted_as_the_build_found():
    text = " ".join(methods.unknown_loans_section(FACTS["unknown_loans"]).sentences)
    assert "990 clients whose housing loan is unknown, 939 become 'no' and 51 'yes'" in text
    assert "53.7%" in text and "15.5%" in text and "939 of the 990" in text


@pytest.mark.parametrize("final_rising, words", [(0, "none of the 24 curves rises"), (3, "3 of the 24 curves rise")])
def test_rising_elbows_are_counted(final_rising, words):
    text = " ".join(methods.elbows_section({**FACTS["elbows"], "final_rising": final_rising}).sentences)
    assert "15 of the 48 elbow curves" in text and "+5.4%" in text and words in text


def test_the_outcome_and_the_differences_name_their_populations():
    outcome = " ".join(methods.outcome_section(FACTS["outcome_in_grid"]).sentences)
    assert "'All features' and 'Without the 5 socio-economic columns'" in outcome and "does not use y" in outcome
    differences = " ".join(methods.differences_section(CLASSIFIER).sentences)
    assert "28,831" in differences and "12,357" in differences and "999" in differences


def test_the_outcome_section_counts_the_segments_a_clients_own_outcome_decides():
    text = " ".join(methods.outcome_section(FACTS["outcome_in_grid"], FACTS["outcome_in_imputation"]).sentences)
    assert ("Of the 41,188 clients, 1,315 have an unknown job, housing or loan: 93 of them would be in another "
            "segment had their own outcome been the other, and 24 if the imputation did not use y at all.") in text
    sampled = {"population": "fit_sample", "train": FACTS["outcome_in_imputation"]["train"]}
    assert "Of the 28,831 training clients the fits use, 938 have" in " ".join(
        methods.outcome_section(FACTS["outcome_in_grid"], sampled).sentences)
    # A build from before the count: the sentence is left out, the rest stays.
    assert "have an unknown job" not in " ".join(methods.outcome_section(FACTS["outcome_in_grid"]).sentences)
