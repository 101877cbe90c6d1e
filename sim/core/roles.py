"""The contingent roles' human labels, for tables and figures ("Water-purification
operator", never "water"). The roles themselves are the schema's `Role`."""
from __future__ import annotations

ROLE_LABELS: dict[str, str] = {
    "commander": "Commander",
    "staff": "Staff",
    "team_leader": "Clearance team leader",
    "deminer": "Deminer",
    "interpreter": "Interpreter",
    "water": "Water-purification operator",
    "driver": "Driver",
    "support": "Support",
}


def role_label(role: str) -> str:
    """The label of `role`; the role itself when it has none."""
    return ROLE_LABELS.get(role, role)
