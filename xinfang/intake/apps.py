from django.apps import AppConfig


class IntakeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "xinfang.intake"
    verbose_name = "登记研判 intake"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from xinfang.core.models import Event
        from xinfang.intake.responsibility import on_event_saved

        # A transfer to a lead with co-bodies opens their 协办 tasks (a hook: cases does not import intake).
        post_save.connect(on_event_saved, sender=Event, dispatch_uid="intake_assist_tasks")
