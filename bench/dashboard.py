"""Dashboard server time on generated data: `python bench/dashboard.py` (issue "clicks").

Run `python bench/dashboard_data.py` first: it fills the PostgreSQL database `coro_bench`
(1,000 people, 100,000 shares, 10 million visits, rolled up). This script then asks, in
process through Django's test client (the whole middleware stack, the view and the
template: the server's own time, without the network), every page and export of the
analytics app and each person's own pages, as an admin and as the busiest sharer, several
times each, and prints the 50th and 95th percentile against the target (300 ms at p95).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coro_bench")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coro.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse  # noqa: E402

from coro.orgs.models import Membership, Organisation, Role  # noqa: E402

TARGET_MS = 300.0
RANGES = ["", "?range=7d", "?range=90d", "?range=year"]


def org_routes(app_names: set[str]) -> list[str]:
    """URL names of the GET pages of these apps that take only the organisation's code."""
    names: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                walk(pattern.url_patterns, inner)
            elif namespace in app_names and pattern.name:
                names.append(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return sorted(set(names))


def timed(client: Client, url: str, repeat: int) -> tuple[int, list[float]]:
    times = []
    status = 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    return status, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    options = parser.parse_args()
    organisation = Organisation.objects.order_by("pk").first()
    if organisation is None:
        raise SystemExit("No organisation: run bench/dashboard_data.py first.")
    admin = Membership.objects.filter(organisation=organisation, role=Role.ADMIN).first()
    sharer = (
        Membership.objects.filter(organisation=organisation)
        .annotate(n=Count("shares"))
        .order_by("-n")
        .first()
    )
    assert admin is not None and sharer is not None
    print(f"Organisation {organisation.name}: people, shares and visits as generated.")
    print("| page | as | status | p50 ms | p95 ms | under 300 ms at p95 |")
    print("|---|---|---|---|---|---|")
    for who, membership, apps in (
        ("admin", admin, {"analytics"}),
        ("busiest sharer", sharer, {"privacy"}),
    ):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(membership.user)
        for name in org_routes(apps):
            try:
                path = reverse(name, args=[organisation.code])
            except NoReverseMatch:
                continue  # a route that needs an object code: not a dashboard page
            for suffix in RANGES if who == "admin" else [""]:
                url = path + suffix
                client.get(url)  # warm-up
                status, times = timed(client, url, options.repeat)
                if status != 200:
                    break  # a POST-only route, or one that sends elsewhere: not a page
                p50 = statistics.median(times)
                p95 = statistics.quantiles(times, n=20)[-1]
                verdict = "yes" if p95 < TARGET_MS else "**no**"
                print(f"| `{url}` | {who} | {status} | {p50:.0f} | {p95:.0f} | {verdict} |")


if __name__ == "__main__":
    main()
