"""What the segments and the tree do not mean (dashapp.views.caveats): the job split and the accuracy."""

from __future__ import annotations

import pytest

from dashapp.views.caveats import accuracy_explanation, job_splits

FIRST = "job in {admin., blue-collar, entrepreneur, housemaid, management}"
LAST = "job in {retired, self-employed, services, student, technician, unemployed}"


def _node(node_id, parent, rule, split, segment, is_leaf=False):
    return {"id": node_id, "parent": parent, "rule": rule, "split": split, "segment": segment, "is_leaf": is_leaf}


def _tree() -> list[dict]:
    # housing = yes -> job cut -> loan; housing = no -> loan: segment 1 and 4 differ only by the job cut.
    return [
        _node(0, None, None, "housing = no", 3),
        _node(1, 0, "housing = no", "loan = no", 3),
        _node(2, 1, "loan = no", None, 3, True),
        _node(3, 1, "loan = yes", None, 2, True),
        _node(4, 0, "housing = yes", FIRST, 1),
        _node(5, 4, FIRST, "loan = no", 1),
        _node(6, 5, "loan = no", None, 1, True),
        _node(7, 5, "loan = yes", None, 2, True),
        _node(8, 4, LAST, "loan = no", 4),
        _node(9, 8, "loan = no", None, 4, True),
        _node(10, 8, "loan = yes", None, 2, True),
    ]


def test_the_job_cut_is_found_with_the_segments_only_one_side_reaches():
    (split,) = job_splits(_tree())
    assert split.node == 4
    assert split.first_jobs == ("admin.", "blue-collar", "entrepreneur", "housemaid", "management")
    assert split.last_jobs == ("retired", "self-employed", "services", "student", "technician", "unemployed")
    assert (split.first_segments, split.last_segments, split.segments) == ((1,), (4,), (1, 4))
    assert (split.first_rule, split.last_rule) == (FIRST, LAST)


def test_the_note_says_the_cut_is_alphabetical_and_means_nothing_about_work():
    (split,) = job_splits(_tree())
    assert split.headline == "Segments 1 and 4 differ by an alphabetical cut of the job"
    text = split.explanation
    assert FIRST in text and LAST in text
    assert "alphabetical order (admin. first, unemployed last)" in text
    assert "between 'management' and 'retired'" in text
    assert "student, technician and unemployed land together in segment 4" in text
    assert "no business meaning" in split.kept_because


def test_a_scored_client_is_told_why_it_is_on_its_side_of_the_cut():
    (split,) = job_splits(_tree())
    assert split.client_sentence(4, "technician") == (
        "This client is in segment 4 rather than segment 1 only because the job, technician, comes after "
        "'management' in the alphabet; that says nothing about the kind of work.")
    assert "before 'retired'" in split.client_sentence(1)
    assert split.client_sentence(2) is None and split.client_sentence(3) is None


def test_a_job_split_that_parts_no_segment_is_left_out():
    nodes = [_node(0, None, None, "job = admin.", 3), _node(1, 0, "job = admin.", None, 3, True),
             _node(2, 0, "job in {blue-collar, unemployed}", None, 3, True)]
    assert job_splits(nodes) == ()


def test_the_full_tree_parts_segments_1_and_4_as_the_issue_describes(full_store):
    (split,) = job_splits(full_store.evaluation["tree_nodes"])
    assert (split.first_segments, split.last_segments) == ((1,), (4,))
    assert split.first_rule == FIRST


def test_the_accuracy_is_explained_and_what_it_does_not_mean():
    why, not_meant = accuracy_explanation(1.0, 1.0)
    assert why.startswith("The tree's accuracy of 1.000 (and the logistic regression's 1.000) is perfect by "
                          "construction.")
    assert "from job, housing loan and personal loan alone" in why and "the same three fields" in why
    assert "not a prediction of anything about a client" in not_meant
    assert "not evidence that the segments are useful" in not_meant
    assert accuracy_explanation(0.98)[0].startswith("The tree's accuracy of 0.980 is high by construction.")


@pytest.mark.parametrize("rule", ["housing = no", "job", "job in admin."])
def test_a_rule_that_is_not_on_the_job_is_refused(rule):
    from dashapp.views.caveats import _rule_jobs

    with pytest.raises(ValueError, match="not a rule on the job"):
        _rule_jobs(rule)


@pytest.mark.parametrize("segment", [None, 1])
def test_the_job_split_note_credits_the_original_study_only_on_a_build_of_the_uci_file(segment):
    from dashapp.web.components import job_split_note
    from tests.layout_helpers import strings

    (split,) = job_splits(_tree())
    uci = " ".join(strings(job_split_note(split, segment, uci=True)))
    other = " ".join(strings(job_split_note(split, segment, uci=False)))
    assert "The original study (" in uci and "original study" not in other.lower()
    assert "carries no business meaning" in other
