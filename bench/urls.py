"""The service's URLs, plus the benchmarks' hand-written peer checkout."""

from django.urls import path

from bench.peer import PeerCheckoutApi
from config.urls import urlpatterns as service_urlpatterns

urlpatterns = [
    path("bench/peer/orders/", PeerCheckoutApi.as_view()),
    *service_urlpatterns,
]
