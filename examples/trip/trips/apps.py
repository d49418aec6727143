"""The trip app: a car, a hotel and a flight booked as one saga."""

from django.apps import AppConfig


class TripsConfig(AppConfig):
    name = "trips"

    def ready(self) -> None:
        from sagas.api import register
        from trips.saga import trip_saga

        register(trip_saga)
