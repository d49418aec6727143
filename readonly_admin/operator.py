"""A person's action page in the admin: permission first, a form, one service call.

The rows these pages change stay read-only everywhere else; the page is the
only way in, and it goes through a service. Each page refuses (403) a user
without its permission before reading anything, shows its form on GET, and on
a valid POST calls ``perform``; the service's refusal becomes a form error and
nothing is done.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from problems.errors import ApplicationError

# Called with the object, the form's cleaned data and the request; returns
# the success message.
Perform = Callable[[Any, dict[str, Any], HttpRequest], str]
TEMPLATE = "admin/operator_form.html"


class OneTimeKeyForm(forms.Form):
    """A form that carries a key drawn when it is shown, for the service to repeat on.

    Submitting the same form twice (a double click, a reload, the back button)
    sends the same key: the service does the action once and answers the
    repeat with what it did the first time.
    """

    key_prefix = "form"
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].initial = f"{self.key_prefix}:{uuid.uuid4().hex}"


def operator_page(
    request: HttpRequest,
    *,
    site: admin.AdminSite,
    permission: str,
    load: Callable[[], Any],
    form_class: type[forms.Form],
    title: str,
    perform: Perform,
    back_url: str,
    form_kwargs: Callable[[Any], dict[str, Any]] | None = None,
    intro: str = "",
) -> HttpResponse:
    """Show ``form_class`` for the object ``load`` returns; act on a valid POST.

    ``form_kwargs``, given the object, returns the form's extra arguments.
    """
    if not request.user.has_perm(permission):
        raise PermissionDenied
    obj = load()
    if obj is None:
        raise Http404("No such object.")
    extra = form_kwargs(obj) if form_kwargs else {}
    form = form_class(request.POST if request.method == "POST" else None, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            done = perform(obj, form.cleaned_data, request)
        except ApplicationError as error:
            form.add_error(None, f"Nothing was done: {error.message}")
        else:
            messages.success(request, done)
            return redirect(back_url)
    context = {
        **site.each_context(request),
        "title": title,
        "subtitle": str(obj),
        "object": obj,
        "form": form,
        "intro": intro,
        "back_url": back_url,
    }
    return TemplateResponse(request, TEMPLATE, context)


def admin_actor(request: HttpRequest) -> str:
    """Return how records name this admin user (``admin:<username>``)."""
    return f"admin:{request.user.get_username()}"
