"""The home page's plain-language line per priority, derived from its commitments' statuses."""

from __future__ import annotations

import pandas as pd

POSITIVE = ("delivered", "partly_delivered", "in_progress")
MIN_TO_JUDGE = 3  # fewer commitments than this are too few to summarise with a badge
NEGATIVE = ("stalled", "dropped")


def priority_line(mix: pd.DataFrame, priority_id: int) -> str:
    """One sentence: how many commitments, how many delivered or moving, how many stalled or dropped."""
    part = mix[mix["priority_id"] == priority_id]
    total = int(part["commitments"].sum())
    if total == 0:
        return "No government commitment serves this priority yet."
    count = lambda statuses: int(part[part["status"].isin(statuses)]["commitments"].sum())  # noqa: E731
    delivered, partly, moving = count(["delivered"]), count(["partly_delivered"]), count(["in_progress"])
    stuck, unrated = count(list(NEGATIVE)), count(["not_yet_rateable", "announced"])
    if total < MIN_TO_JUDGE:  # "1 of 1 delivered" would read as a verdict on the priority
        labels = sorted(set(part[part["commitments"] > 0]["status_label"].dropna()))
        return (f"Only {total} government commitment{' is' if total == 1 else 's are'} linked to this priority "
                f"({', '.join(labels).lower() or 'not yet rated'}): too few to judge how it is moving.")
    parts = [f"{delivered} of {total} commitment{'s' if total != 1 else ''} delivered"]
    if partly:
        parts.append(f"{partly} partly delivered")
    if moving:
        parts.append(f"{moving} in progress")
    if stuck:
        parts.append(f"{stuck} stalled or dropped")
    if unrated:
        parts.append(f"{unrated} only announced or not yet rateable")
    return ", ".join(parts) + "."


def verdict(mix: pd.DataFrame, priority_id: int) -> tuple[str, str]:
    """A short badge (label, colour) on the government's commitments for a priority, deliberately cautious:
    it judges the commitments made, not whether they meet the Alliance's ask."""
    part = mix[mix["priority_id"] == priority_id]
    total = int(part["commitments"].sum())
    if total == 0:
        return "No commitments", "gray"
    if total < MIN_TO_JUDGE:
        return "Too few to judge", "gray"
    share = lambda statuses: part[part["status"].isin(statuses)]["commitments"].sum() / total  # noqa: E731
    if share(NEGATIVE) >= 0.34:
        return "Stalling", "red"
    if share(["delivered"]) >= 0.5:
        return "Mostly delivered", "green"
    if share(POSITIVE) >= 0.5:
        return "Moving", "blue"
    return "Early stage", "orange"
