"""What the Tree page says in words, as plain data: the rules as an analyst reads them, and the way to a node.

The tree itself is ``evaluation.json``'s ``tree_nodes`` (see :func:`dashapp.analysis.segmentation.tree_nodes`), whose
rules keep the data file's codes (``housing = yes``, ``job in {admin., blue-collar}``). Here they become the
labels of :mod:`dashapp.core.catalogue` (``Housing loan``, ``Job: Administrative or Blue-collar``), for the rules
text of the page and for the boxes, edges and hovers of :func:`dashapp.figures.tree.tree_figure`, which the
Score page draws too.

The rules text is written here, in the current language of the request.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

from dashapp.core import catalogue, i18n
from dashapp.core.i18n import N_, _, ngettext
from dashapp.views.caveats import job_splits

#: Columns whose category labels name the column too ("Housing loan", "No personal loan").
_SELF_NAMING = ("housing", "loan", "default")
#: The answers to a self-naming column's question ("Housing loan?" -> "Yes").
_ANSWERS = {"yes": N_("Yes"), "no": N_("No"), "unknown": N_("Unknown")}


def _rule_values(rule: str) -> tuple[str, list[str]] | None:
    # The forms dashapp.analysis.segmentation writes: "housing = yes" and "job in {admin., blue-collar}".
    feature, _, condition = rule.partition(" ")
    if condition.startswith("= "):
        return feature, [condition[2:]]
    if condition.startswith("in {") and condition.endswith("}"):
        return feature, condition[4:-1].split(", ")
    return None


def _either(labels: list[str]) -> str:
    if len(labels) == 1:
        return labels[0]
    return _("{items} or {last}").format(items=", ".join(labels[:-1]), last=labels[-1])


def readable_rule(rule: str, link: str = ": ") -> str:
    """A split rule in the words an analyst reads, not the data file's codes.

    Parameters
    ----------
    rule : str
        A node's ``rule`` or ``split`` as :func:`dashapp.analysis.segmentation.tree_nodes` writes it:
        ``"housing = yes"`` or ``"job in {admin., blue-collar}"``.
    link : str
        Between a column's name and its values (``" is "`` for a sentence, translated by the caller).

    Returns
    -------
    str
        ``"Housing loan"``, ``"Job: Administrative or Blue-collar"``; a rule of another form unchanged.
    """
    parsed = _rule_values(rule)
    if parsed is None:
        return rule
    feature, values = parsed
    listed = _either([catalogue.category_label(feature, value) for value in values])
    return listed if feature in _SELF_NAMING else f"{catalogue.column_label(feature)}{link}{listed}"


def rule_answer(rule: str) -> str:
    """A rule as the answer to its parent's question ("Housing loan?" -> "Yes"; "Job?" -> "Student or Retired")."""
    parsed = _rule_values(rule)
    if parsed is None:
        return rule
    feature, values = parsed
    if feature in _SELF_NAMING:
        return _either([_(_ANSWERS[value]) if value in _ANSWERS else value.capitalize() for value in values])
    return _either([catalogue.category_label(feature, value) for value in values])


def node_path(nodes: list[dict], node_id: int) -> list[int]:
    """Node ids from the root down to ``node_id`` (for highlighting the way to a node).

    Parameters
    ----------
    nodes : list of dict
        ``tree_nodes`` from ``evaluation.json``.
    node_id : int
        A node of the tree.

    Returns
    -------
    list of int
        Root first, ``node_id`` last.

    Raises
    ------
    ValueError
        If ``node_id`` is not a node of the tree.
    """
    parent = {node["id"]: node["parent"] for node in nodes}
    if node_id not in parent:
        raise ValueError(f"node_id={node_id!r} is not in the tree; its nodes are {sorted(parent)}")
    path = [node_id]
    while parent[path[-1]] is not None:
        path.append(parent[path[-1]])
    return path[::-1]


def rules_text(nodes: list[dict], names: Mapping[int, str], codes: bool = False, notes: bool = True) -> str:
    """The tree's rules in words, each leaf named as the catalogue names its segment, then, with ``notes``, what
    its job split means (the file is read away from the page, so it says so itself; the page says it above).

    The page reads them in labels (``if housing loan:``); the download keeps the data file's codes
    (``if housing = yes:``), so that the rules can be applied to the data as it is spelt. ``names``: segment
    number -> name (:func:`dashapp.core.catalogue.segment_names`).
    """
    notes = [] if not notes else [textwrap.fill(_("Note: {headline}. {explanation} The original study ({url}) {kept_because}").format(
        headline=split.headline, explanation=split.explanation, url=catalogue.ORIGINAL_STUDY_URL,
        kept_because=split.kept_because), width=100, break_on_hyphens=False)
             for split in job_splits(nodes)]
    if not codes:
        nodes = [{**node, "rule": _sentence(node["rule"]) if node["rule"] else None} for node in nodes]
    return "\n".join(_rule_lines(nodes, names)) + "\n" + "".join(f"\n{note}\n" for note in notes)


def _rule_lines(nodes: list[dict], names: dict[int, str]) -> list[str]:
    """The tree as nested if/else rules, one line per node, four spaces per depth: ``if <rule>:`` for a
    branch, then under a leaf its segment, its name and its training clients."""
    below: dict[int, list[dict]] = {}
    for node in nodes:
        if node["parent"] is not None:
            below.setdefault(node["parent"], []).append(node)
    lines: list[str] = []
    pending = [(child, 0) for child in reversed(below.get(nodes[0]["id"], []))]
    while pending:  # depth first, children in the order sklearn numbers them
        node, depth = pending.pop()
        lines.append("    " * depth + _("if {rule}:").format(rule=node["rule"]))
        if node["is_leaf"]:
            lines.append("    " * (depth + 1) + ngettext(
                "segment {number} ({name}); {clients} training client",
                "segment {number} ({name}); {clients} training clients", node["samples"]).format(
                number=node["segment"], name=names[node["segment"]], clients=i18n.number(node["samples"])))
        pending += [(child, depth + 1) for child in reversed(below.get(node["id"], []))]
    return lines


def _sentence(rule: str) -> str:
    words = readable_rule(rule, link=_(" is "))
    return words[:1].lower() + words[1:]
