"""The labels of stored codes (kept in ``xeco.labels``, which exports read too)."""

from xeco.labels import (  # noqa: F401
    FIT_LABELS,
    LANGUAGE_LABELS,
    OUTCOME_LABELS,
    ROLE_LABELS,
    SECTOR_LABELS,
    STATUS_LABELS,
    TRIGGER_LABELS,
    label,
)
