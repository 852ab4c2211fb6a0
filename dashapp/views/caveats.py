"""What the segments and the tree do not mean, said from the artifacts: the job split and the tree's accuracy.

Two results look more meaningful than they are. The tree tells segments 1 and 4 apart by a cut of the job
that follows the alphabet (K-means saw the job as an ordinal code numbered in alphabetical order), and the
tree's accuracy is perfect by construction. The pages that show the segments, the tree or a scored client
say so with the texts made here (plain strings, no Dash), so they say it the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashapp.core import domain, i18n
from dashapp.core.i18n import N_, _, pgettext

_JOB_RULE = re.compile(r"^job (?:= (?P<one>.+)|in \{(?P<many>.+)\})$")


def _rule_jobs(rule: str) -> tuple[str, ...]:
    match = _JOB_RULE.match(rule or "")
    if match is None:
        raise ValueError(f"{rule!r} is not a rule on the job (expected 'job = x' or 'job in {{x, y}}')")
    return (match["one"],) if match["one"] else tuple(match["many"].split(", "))


def _and(items: tuple[str, ...]) -> str:
    if len(items) == 1:
        return items[0]
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def _rule_text(jobs: tuple[str, ...]) -> str:
    # The data file's codes, as the tree's rule says them; Russian writes "in" as the sign "∈".
    if len(jobs) == 1:
        return _("job = {job}").format(job=jobs[0])
    return _("job in {{{jobs}}}").format(jobs=", ".join(jobs))


@dataclass(frozen=True)
class JobSplit:
    """A node of the tree that parts segments by the job.

    ``first_jobs`` are the jobs before the cut in the alphabet (the codes the tree sends left), ``last_jobs``
    the jobs after it; ``first_segments`` and ``last_segments`` the segments that only one side reaches.
    """

    node: int
    first_jobs: tuple[str, ...]
    last_jobs: tuple[str, ...]
    first_segments: tuple[int, ...]
    last_segments: tuple[int, ...]

    @property
    def segments(self) -> tuple[int, ...]:
        return tuple(sorted(self.first_segments + self.last_segments))

    @property
    def first_rule(self) -> str:
        """``'job in {admin., blue-collar, ...}'``, as the tree's edge says it."""
        return _rule_text(self.first_jobs)

    @property
    def last_rule(self) -> str:
        return _rule_text(self.last_jobs)

    def _names(self, segments: tuple[int, ...]) -> str:
        return (" " + _("and") + " ").join(_("segment {number}").format(number=n) for n in segments)

    @property
    def headline(self) -> str:
        """``'Segments 1 and 4 differ by an alphabetical cut of the job'``."""
        return _("Segments {segments} differ by an alphabetical cut of the job").format(
            segments=_and(tuple(str(n) for n in self.segments)))

    @property
    def explanation(self) -> str:
        """The split and why it carries no business meaning, in a few sentences."""
        first, last = self._names(self.first_segments), self._names(self.last_segments)
        jobs = domain.known_categories("job")
        return _("The tree sends {first_rule} to {first} and {last_rule} to {last}. K-means saw the job as a "
                 "number in alphabetical order ({first_job} first, {last_job} last), so the line falls between "
                 "'{before}' and '{after}' because of how the jobs are spelled: {last_jobs} land together in {last} "
                 "for no other reason.").format(
            first_rule=self.first_rule, first=first, last_rule=self.last_rule, last=last, first_job=jobs[0],
            last_job=jobs[-1], before=self.first_jobs[-1], after=self.last_jobs[0], last_jobs=_and(self.last_jobs))

    @property
    def kept_because(self) -> str:
        """What follows "The original study (<its name>)" in the note: why the cut is kept."""
        return _("found the same cut. The studio keeps it so that the numbers compare, but the difference between "
                 "these segments carries no business meaning, and our suggestions for them follow the loans, not the "
                 "job.")

    def client_sentence(self, segment: int, job: str | None = None) -> str | None:
        """Why a client of ``segment`` is not in the segment across the cut (None if the split does not
        concern ``segment``)."""
        if segment in self.first_segments:
            other, where = self._names(self.last_segments), _("before '{job}'").format(job=self.last_jobs[0])
        elif segment in self.last_segments:
            other, where = self._names(self.first_segments), _("after '{job}'").format(job=self.first_jobs[-1])
        else:
            return None
        whose = _("job, {job},").format(job=job) if job else pgettext("the client's", "job")
        return _("This client is in segment {segment} rather than {other} only because the {whose} comes {where} in "
                 "the alphabet; that says nothing about the kind of work.").format(
            segment=segment, other=other, whose=whose, where=where)


def job_splits(nodes: list[dict]) -> tuple[JobSplit, ...]:
    """The nodes of a tree (``evaluation.json``'s ``tree_nodes``) that part segments by the job.

    Parameters
    ----------
    nodes : list of dict
        From :func:`dashapp.analysis.segmentation.tree_nodes`: ``id``, ``parent``, ``rule``, ``split``, ``segment``,
        ``is_leaf``.

    Returns
    -------
    tuple of JobSplit
        In node order; a job split whose two sides reach the same segments is left out (it parts nobody).
    """
    children: dict[int, list[dict]] = {}
    for node in nodes:
        if node["parent"] is not None:
            children.setdefault(node["parent"], []).append(node)

    def leaves(node: dict) -> set[int]:
        below = children.get(node["id"], [])
        return {int(node["segment"])} if node["is_leaf"] or not below else set().union(*map(leaves, below))

    splits = []
    for node in nodes:
        if node["is_leaf"] or not (node.get("split") or "").startswith("job"):
            continue
        first, last = sorted(children[node["id"]], key=lambda child: child["rule"] != node["split"])
        first_reach, last_reach = leaves(first), leaves(last)
        only_first, only_last = sorted(first_reach - last_reach), sorted(last_reach - first_reach)
        if only_first and only_last:
            splits.append(JobSplit(int(node["id"]), _rule_jobs(first["rule"]), _rule_jobs(last["rule"]),
                                   tuple(only_first), tuple(only_last)))
    return tuple(splits)


# --- The tree's accuracy ----------------------------------------------------------------------------------

ACCURACY_HEADLINE = N_("Why the tree's accuracy is perfect, and what that does not mean")


def accuracy_explanation(accuracy: float, logistic_accuracy: float | None = None) -> tuple[str, str]:
    """Why the tree's accuracy is what it is, and what the number does not mean.

    Parameters
    ----------
    accuracy : float
        The tree's accuracy on the test rows.
    logistic_accuracy : float, optional
        The logistic regression's, when it is shown beside the tree's.

    Returns
    -------
    (why, not_meant) : tuple of str
    """
    how = pgettext("the tree's accuracy is", "perfect") if accuracy == 1.0 else pgettext("the tree's accuracy is",
                                                                                          "high")
    beside = "" if logistic_accuracy is None else " " + _("(and the logistic regression's {accuracy})").format(
        accuracy=i18n.number(logistic_accuracy, 3))
    why = _("The tree's accuracy of {accuracy}{beside} is {how} by construction. K-means made the segments from "
            "job, housing loan and personal loan alone, so each combination of the three belongs to exactly one "
            "segment; the tree learns the segment from the same three fields, and three levels of questions are "
            "enough to write that assignment down. The number measures only that the tree reproduces the K-means "
            "segments: scoring a client with the tree gives the segment K-means would give.").format(
        accuracy=i18n.number(accuracy, 3), beside=beside, how=how)
    not_meant = _("It is not a prediction of anything about a client (not whether they will subscribe, not what "
                  "they will buy), and not evidence that the segments are useful or meaningful: any grouping made "
                  "from these three fields alone can be relearned this well by a tree deep enough.")
    return why, not_meant
