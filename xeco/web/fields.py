"""Form fields whose data is what the API schemas read, so a page's form gives ``form.data``.

Filters and coercions here turn what a browser sends (strings, often blank) into the values
the schemas take: None for a blank optional field, an int for a chosen level, lists for
lines typed with commas, publication records for the publications box.
"""

from __future__ import annotations

from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms import ValidationError as FieldError
from wtforms.widgets import CheckboxInput, ListWidget

from xeco.web import publications as pubs
from xeco.web.formkit import join_list, split_list
from xeco.web.messages import translate


def strip(value):
    return value.strip() if isinstance(value, str) else value


def none_if_blank(value):
    return None if value == "" else value


# An optional text: trimmed, and None when left blank.
OPTIONAL_TEXT = (strip, none_if_blank)


def fallback(default):
    """A filter that gives ``default`` where the field was left blank."""
    return lambda value: default if value is None else value


def int_or_none(value) -> int | None:
    return None if value in ("", None) else int(value)


class TypedLimit:
    """``max_chars`` limits what was typed, with the message of WTForms' own Length check,
    for fields whose data is no longer the typed text."""

    def __init__(self, label=None, validators=None, max_chars: int | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.max_chars = max_chars

    def pre_validate(self, form) -> None:
        typed = self.raw_data[0] if self.raw_data else ""
        if self.max_chars is not None and len(typed) > self.max_chars:
            message = self.ngettext(
                "Field cannot be longer than %(max)d character.",
                "Field cannot be longer than %(max)d characters.",
                self.max_chars,
            )
            raise FieldError(message % {"max": self.max_chars})


class ListField(TypedLimit, StringField):
    """A list typed on one line: its data is the list, what the form shows is the line."""

    def process_data(self, value) -> None:
        self.data = list(value or [])

    def process_formdata(self, valuelist) -> None:
        if valuelist:
            self.data = split_list(valuelist[0])

    def _value(self) -> str:
        # A form sent back with errors shows the line as it was typed.
        return self.raw_data[0] if self.raw_data else join_list(self.data)


class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PublicationsField(TypedLimit, TextAreaField):
    """Publications as the schema takes them: a list of records (title, year, DOI...).

    The box shows them as lines of "Title | year | DOI"; BibTeX or CSV pasted into it is read
    as a file would be, never line by line, and :meth:`add` puts a file's entries after it.
    A form made from an item starts from its stored publications: lines sent back as they
    were shown keep what the box cannot show (abstracts, venues, authors), and ``unchanged``
    then says that the stored list stands. ``imported`` counts what came from BibTeX or CSV,
    for the page to tell; what could not be read is among the field's errors.
    """

    def process_data(self, value) -> None:
        # None when the form makes a new item; the stored publications when it edits one.
        self.stored = None if value is None else [pubs.record(p) for p in value]
        self.data = list(self.stored or [])
        self.unchanged = self.stored is not None
        self.imported: int | None = None

    def process_formdata(self, valuelist) -> None:
        typed = (valuelist[0] if valuelist else "").replace("\r\n", "\n").strip()
        if self.stored is not None and typed == pubs.as_lines(self.stored).strip():
            return
        self.unchanged = False
        items, problems, source = pubs.from_paste(typed)
        self.data = pubs.merge(items)
        if source != "lines":
            self.imported = len(items)
        self.process_errors.extend(translate(problem) for problem in problems)

    def add(self, upload) -> None:
        """Put the entries of an uploaded BibTeX or CSV file after those of the box."""
        added, problems = pubs.from_upload(upload.filename, upload.read())
        self.process_errors.extend(translate(problem) for problem in problems)
        self.imported = (self.imported or 0) + len(added)
        if added:
            self.data = pubs.merge(self.data, added)
            self.unchanged = False

    def _value(self) -> str:
        # A form sent back with errors shows the box as it was typed.
        return self.raw_data[0] if self.raw_data else pubs.as_lines(self.data)
