"""The "your order has shipped" message: its words and who receives it by each channel.

One place for both, used by the checkout's notify steps and by the customer
service desk when it sends the message again.
"""

from __future__ import annotations

from typing import Any


def customer_email(user: Any) -> str:
    """Return the address the customer's email and push messages go to."""
    return user.email or f"{user.get_username()}@example.com"


def notice_recipients(*, email: str, phone: str) -> dict[str, str]:
    """Return the recipient of each channel: email and push by address, SMS by phone."""
    return {"email": email, "sms": phone, "push": email}


def shipped_notice(*, order_id: str, tracking_number: str) -> tuple[str, str]:
    """Return the subject and body of the message that the order has shipped."""
    return (
        f"Your order {order_id[:8]} has shipped",
        f"Tracking number: {tracking_number}",
    )
