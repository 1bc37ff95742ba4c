from datetime import timedelta

from django.apps import AppConfig


def _rollups() -> None:
    from coro.analytics.rollups import rollup_run

    rollup_run()


def _visits_prune() -> None:
    from coro.analytics.rollups import visits_prune

    visits_prune()


class AnalyticsConfig(AppConfig):
    name = "coro.analytics"
    label = "analytics"

    def ready(self) -> None:
        from coro.analytics.goal_visits import goal_visits
        from coro.community.selectors import goal_visits_register
        from coro.core.periodic import PeriodicJob, periodic_register

        # Goals count visits from the rollups; community, below analytics, is given the
        # counter here.
        goal_visits_register(goal_visits)

        # New visits and previews are added to the hourly, daily and per-link rollups that
        # the dashboards read.
        periodic_register(PeriodicJob("analytics.rollups", timedelta(minutes=1), _rollups))
        # Raw visits older than VISITS_KEEP_DAYS (once added up), past dedupe keys and the
        # salts of past days are deleted.
        periodic_register(PeriodicJob("analytics.visits_prune", timedelta(hours=1), _visits_prune))
