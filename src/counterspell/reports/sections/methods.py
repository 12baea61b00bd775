"""The report's section: 9. Methods."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...lake.workspace import Workspace

if TYPE_CHECKING:
    pass
from ..model import Row, Section
from ..scan import ScopedLake


def build(lake: ScopedLake) -> Section:
    s = Section("methods", "Methods and limits")
    path = lake.ws.root / "models" / "evaluation.json"
    rows: list[Row] = []
    if path.exists():
        import json

        ev = json.loads(path.read_text(encoding="utf-8"))
        s.fact("evaluated_at", ev.get("measured_at", "unknown"))
        h = ev.get("heldout_synthetic") or {}
        if h:
            rows.append({"measure": "held-out synthetic role accuracy", "value": h.get("accuracy")})
            rows.append({"measure": "minor_risk recall", "value": h.get("minor_risk_recall")})
        for key in ("campaigns", "campaigns_heldout", "campaigns_heldout_no_quotes"):
            if ev.get(key):
                rows.append(
                    {"measure": f"{key}: pairwise precision", "value": ev[key]["precision"]}
                )
                rows.append({"measure": f"{key}: pairwise recall", "value": ev[key]["recall"]})
        lab = ev.get("labels") or {}
        if lab:
            when = (ev.get("parts_measured_at") or {}).get("labels", "")
            rows.append(
                {"measure": f"labelled posts ({when}): role accuracy", "value": lab.get("accuracy")}
            )
            rows.append({"measure": f"labelled posts ({when}): minor_risk recall",
                         "value": lab.get("minor_risk_recall")})  # fmt: skip
        rf = ev.get("real_fixtures") or {}
        if rf:
            rows.append(
                {
                    "measure": "real posts given a role (false positives)",
                    "value": rf.get("role_rate"),
                }
            )
    rows.extend(_card_rows(lake.ws))
    s.tables["evaluation"] = rows
    if not rows:
        s.notes.append(
            "`counterspell evaluate` has not been run in this workspace: run it to add the figures."
        )
    return s


def _card_rows(ws: Workspace) -> list[Row]:
    """The shipped role model's measured figures (its card), when this workspace uses it: how
    well roles hold on text the project did not write, and how often ordinary talk raises an
    alarm. A workspace that trained its own model has only its own evaluation."""
    from ...evaluation.evaluate import read_card

    if (ws.root / "models" / "roles_model.npz").exists():
        return []
    card = read_card()
    if not card:
        return []
    version = card.get("model_version", "?")
    rows: list[Row] = []
    for key, sec in sorted(card.get("sections", {}).items()):
        when = sec.get("measured_at", "")
        where = f"shipped model {version}, {key.replace(':', ' ')} ({when})"
        if "macro_f1" in sec:
            rows.append({"measure": f"{where}: role macro-F1", "value": sec["macro_f1"]})
            for role in ("request", "fulfillment"):
                if role in sec.get("f1", {}):
                    rows.append({"measure": f"{where}: {role} F1", "value": sec["f1"][role]})
            if sec.get("minor_risk_recall") is not None:
                rows.append(
                    {"measure": f"{where}: minor_risk recall", "value": sec["minor_risk_recall"]}
                )
        elif "alarm_rate" in sec:
            rows.append({"measure": f"{where}: alarm rate ({sec['posts']:,} posts that request nothing)",
                         "value": sec["alarm_rate"]})  # fmt: skip
        elif "f1" in sec:
            rows.append({"measure": f"{where}: campaign pairwise F1", "value": sec["f1"]})
    return rows
