"""Pages of the demo storefront: thin views over the orders' public functions."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from aftersales.saga import RETURN_FAULT_POINTS
from aftersales.selectors import (
    refunded_minor,
    return_saga_runs,
    return_window_open,
    returnable_quantities,
    returns_for,
)
from aftersales.services import return_start
from desk.selectors import desk_actions_for
from desk.timeline import order_timeline
from orders.checkout.services import checkout_start, order_cancel
from orders.exceptions import OrderNotFound
from orders.machine import order_diagram
from orders.models import Order
from orders.money import from_minor
from orders.selectors import (
    order_cancellable,
    order_get_for_user,
    order_list_for_user,
    order_saga_runs,
    product_list_with_stock,
)
from orders.states import State
from problems.errors import ApplicationError
from sagas.api import ACTIVE_STATUSES, run_timeline, run_trace_url
from scenarios.registry import SCENARIOS, Scenario, scenario_get
from storefront.chapters import chapter_html
from storefront.forms import CheckoutForm, FaultPlanForm, ReturnForm


def catalog(request: HttpRequest) -> HttpResponse:
    """Show the products with their stock, and the form to buy them."""
    return _shop(request, lab=False)


@login_required
def lab(request: HttpRequest) -> HttpResponse:
    """Show the failure lab: a panel per scenario, the shop form, a fault per call.

    ``?scenario=<name>`` fills the faults with that scenario's, ready to buy.
    """
    return _shop(request, lab=True)


def chapter(request: HttpRequest, name: str) -> HttpResponse:
    """Show a chapter of the teaching material, as the repository holds it."""
    try:
        html = chapter_html(name)
    except KeyError:
        raise Http404("No such chapter.") from None
    context = {"name": name, "html": html, "diagrams": 'class="mermaid"' in html}
    return render(request, "storefront/chapter.html", context)


def _shop(request: HttpRequest, *, lab: bool) -> HttpResponse:
    products = product_list_with_stock()
    form = CheckoutForm(request.POST or None, products=products)
    chosen = _scenario(request.GET.get("scenario", "")) if lab else None
    faults = (
        FaultPlanForm(
            request.POST or None, initial=chosen.lab_faults if chosen else None
        )
        if lab
        else None
    )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{settings.LOGIN_URL}?next={request.path}")
        if form.is_valid() and (faults is None or faults.is_valid()):
            try:
                result = checkout_start(
                    user=request.user,
                    idempotency_key=form.cleaned_data["idempotency_key"],
                    lines=form.lines(),
                    payment_token=form.cleaned_data["payment_token"],
                    shipping_address=form.shipping_address(),
                    faults=faults.plan() if faults else None,
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                return redirect("storefront:order", order_id=result.order.pk)
    context = {
        "products": products,
        "form": form,
        "faults": faults,
        "lab": lab,
        "scenarios": SCENARIOS if lab else (),
        "chosen": chosen,
        "fault_injection": settings.FAULT_INJECTION,
    }
    return render(request, "storefront/shop.html", context)


def _scenario(name: str) -> Scenario | None:
    """Return the scenario ``name`` if the lab can play it, else None."""
    try:
        scenario = scenario_get(name)
    except KeyError:
        return None
    return scenario if scenario.lab_faults is not None else None


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    """List the user's orders, newest first."""
    orders = list(order_list_for_user(user=request.user)[:50])
    return render(request, "storefront/order_list.html", {"orders": orders})


@login_required
def order_detail(request: HttpRequest, order_id: str) -> HttpResponse:
    """Show one order: its state, saga steps and history, refreshed while it moves."""
    template = (
        "storefront/_order_status.html"
        if request.headers.get("HX-Request")
        else "storefront/order_detail.html"
    )
    return render(request, template, _order_context(request, order_id))


@login_required
@require_POST
def order_cancel_view(request: HttpRequest, order_id: str) -> HttpResponse:
    """Cancel the order: its checkout's completed steps are undone."""
    order = _own_order(request, order_id)
    try:
        order_cancel(order=order, actor=f"user:{request.user.get_username()}")
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("storefront:order", order_id=order.pk)


@login_required
@require_POST
def order_return_view(request: HttpRequest, order_id: str) -> HttpResponse:
    """Return units of the order: the return saga books, receives, refunds."""
    order = _own_order(request, order_id)
    form = ReturnForm(request.POST, returnable=returnable_quantities(order=order))
    faults = _return_faults(request.POST)
    if not form.is_valid() or (faults is not None and not faults.is_valid()):
        errors = [str(error) for errors in form.errors.values() for error in errors]
        messages.error(request, " ".join(errors) or "Check the return form.")
        return redirect("storefront:order", order_id=order.pk)
    try:
        return_start(
            order=order,
            user=request.user,
            idempotency_key=form.cleaned_data["idempotency_key"],
            lines=form.lines(),
            reason=form.cleaned_data["reason"],
            faults=(faults.plan() or None) if faults else None,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("storefront:order", order_id=order.pk)


def _return_faults(data=None) -> FaultPlanForm | None:
    """Return the form of the return's faults, when fault injection is on."""
    if not settings.FAULT_INJECTION:
        return None
    return FaultPlanForm(data, points=RETURN_FAULT_POINTS)


def _own_order(request: HttpRequest, order_id: str) -> Order:
    try:
        return order_get_for_user(user=request.user, order_id=order_id)
    except OrderNotFound:
        raise Http404("No such order.") from None


def _order_context(request: HttpRequest, order_id: str) -> dict:
    order = _own_order(request, order_id)
    run = order_saga_runs(orders=[order]).get(order.operation_id)
    returns = list(returns_for(order=order))
    return_runs = return_saga_runs(returns=returns)
    returnable = returnable_quantities(order=order)
    can_return = (
        order.state == State.SHIPPED
        and any(returnable.values())
        and return_window_open(order=order, now=timezone.now())
    )
    return {
        "order": order,
        "run": run,
        "steps": run.step_rows if run else [],
        # What happened, in order (the saga's story and the desk's actions),
        # and the trace to look it up in.
        "events": order_timeline(
            run_events=run_timeline(run=run) if run else [],
            actions=desk_actions_for(order=order),
        ),
        "trace_url": run_trace_url(run=run) if run else "",
        "diagram": order_diagram(state=order.state),
        # Refresh while a worker moves the order; a run waiting for review or
        # finished has nothing more to show by itself.
        "polling": any(
            r is not None and r.status in ACTIVE_STATUSES
            for r in (run, *return_runs.values())
        ),
        "can_cancel": order_cancellable(order=order, run=run),
        # After the pivot: the returns and refunds, and a form for another.
        "returns": [(ret, return_runs.get(ret.operation_id)) for ret in returns],
        "refunded": from_minor(refunded_minor(order), order.currency),
        "return_form": (
            ReturnForm(returnable={s: n for s, n in returnable.items() if n})
            if can_return
            else None
        ),
        "return_faults": _return_faults() if can_return else None,
    }
