"""Words shown for the stored codes (sectors, statuses, roles, outcomes, triggers), in the
reader's language: the one table that pages, notices, e-mails and CSV exports all read."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SECTOR_LABELS = {
    "advanced-manufacturing": _l("Advanced manufacturing"),
    "new-energy": _l("New energy"),
    "biomedicine": _l("Biomedicine"),
    "ai-digital": _l("AI and digital"),
    "new-materials": _l("New materials"),
    "environment": _l("Environment"),
    "semiconductors": _l("Semiconductors"),
    "agri-food": _l("Agriculture and food"),
    "other": _l("Other"),
}

STATUS_LABELS = {
    "open": _l("Open"),
    "matched": _l("Matched"),
    "closed": _l("Closed"),
    "active": _l("Active"),
    "proposed": _l("Proposed"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "introduced": _l("Introduced"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "pending": _l("Pending"),
    "running": _l("Running"),
    "succeeded": _l("Finished"),
    "failed": _l("Failed"),
    "public": _l("Public"),
    "restricted": _l("Restricted"),
    "accept": _l("Accepted"),
    "decline": _l("Declined"),
}

LANGUAGE_LABELS = {
    "en": _l("English"),
    "zh": _l("Chinese"),
    "mixed": _l("Chinese and English"),
}

ROLE_LABELS = {
    "company": _l("Company"),
    "researcher": _l("Researcher"),
    "institute": _l("Institute"),
    "agency": _l("Agency"),
    "officer": _l("Officer"),
    "admin": _l("Administrator"),
}


OUTCOME_LABELS = {
    "talking": _l("Talking"),
    "agreement": _l("Agreement signed"),
    "started": _l("Project started"),
    "no_deal": _l("No deal"),
}

TRIGGER_LABELS = {
    "manual": _l("Started by an officer"),
    "schedule": _l("Nightly schedule"),
    "cli": _l("Command line"),
    "seed": _l("Demo data"),
}

MEMBERSHIP_LABELS = {
    "pending": _l("Pending"),
    "active": _l("an active member"),
    "rejected": _l("declined"),
}

# How well a proposal fits, as companies see it (xeco/services/fit.py holds the thresholds).
FIT_LABELS = {
    "strong": _l("Strong fit"),
    "good": _l("Good fit"),
    "possible": _l("Possible fit"),
}


def label(mapping: dict, code) -> str:
    if code is None:
        return ""
    key = getattr(code, "value", code)
    return str(mapping.get(key, key))
