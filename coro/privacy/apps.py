from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "coro.privacy"
    label = "privacy"

    def ready(self) -> None:
        # Goals count visits from the analytics rollups; community, below analytics, is
        # given the counter here. TODO(lead): move these lines to AnalyticsConfig.ready().
        from coro.analytics.goal_visits import goal_visits
        from coro.community.selectors import goal_visits_register

        goal_visits_register(goal_visits)
