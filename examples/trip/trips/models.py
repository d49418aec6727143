"""The suppliers' side: what each one booked, and the faults a test plans."""

from django.db import models


class Booking(models.Model):
    """A supplier's booking, unique by the idempotency key it was asked with."""

    supplier = models.CharField(max_length=20)
    key = models.CharField(max_length=200, unique=True)
    reference = models.CharField(max_length=40)
    cancelled = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.supplier} {self.reference}"


class Fault(models.Model):
    """A supplier told to misbehave (``refuse``, ``down``, ``crash``, ...)."""

    supplier = models.CharField(max_length=20, unique=True)
    mode = models.CharField(max_length=20)

    def __str__(self) -> str:
        return f"{self.supplier}: {self.mode}"
