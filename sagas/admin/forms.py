"""The forms of the review actions: each needs a note, some a step and an outcome."""

from __future__ import annotations

from typing import Any

from django import forms

from sagas.definition import Outcome

NOTE_REQUIRED = "Write a note: what you checked and why you act."
NOTE_HELP = "Kept in the run's audit trail and in the admin log."


class ReviewForm(forms.Form):
    """A review action with the reviewer's note."""

    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=NOTE_HELP,
        error_messages={"required": NOTE_REQUIRED},
    )

    def __init__(self, *args: Any, steps: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if "step" in self.fields:
            self.fields["step"].choices = [(name, name) for name in steps or []]


class RetryStepForm(ReviewForm):
    """Retry one stuck step (or hook) with its same idempotency key."""

    step = forms.ChoiceField()
    field_order = ["step", "note"]


class ResolveStepForm(ReviewForm):
    """Say what really happened to a stuck step, checked outside the service."""

    step = forms.ChoiceField()
    outcome = forms.ChoiceField(
        choices=[
            (Outcome.COMPLETED.value, "It happened (completed)"),
            (Outcome.NOT_HAPPENED.value, "It did not happen / nothing left to undo"),
        ],
        widget=forms.RadioSelect,
    )
    field_order = ["step", "outcome", "note"]


def form_errors(form: forms.Form) -> str:
    """Return the form's error messages as one line for an admin message."""
    return " ".join(message for errors in form.errors.values() for message in errors)
