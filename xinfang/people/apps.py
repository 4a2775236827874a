from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "xinfang.people"
    label = "people"
    verbose_name = "信访人（一人一档）"
