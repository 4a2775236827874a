from django.core.management.base import BaseCommand

from xinfang.orgs.demo import demo_city_load, demo_exists, demo_logins_text


class Command(BaseCommand):
    help = "载入演示城市（示例市）的组织架构与演示账号；已载入则不重复。"

    def handle(self, *args, **options):
        if demo_exists():
            self.stdout.write("演示数据已存在，沿用现有数据。")
        else:
            counts = demo_city_load()
            self.stdout.write(
                f"已载入演示城市：{counts['regions']} 个区划，{counts['bodies']} 个机关，{counts['users']} 个账号。"
            )
        self.stdout.write(demo_logins_text())
