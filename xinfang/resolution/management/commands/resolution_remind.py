"""Daily job: remind the 司法确认 windows (人民调解法 Art. 33) that are near their end. Run it from cron once a
day (e.g. 07:30), like `deadline` / `ledger_build`."""

from django.core.management.base import BaseCommand

from xinfang.resolution.services import confirmation_reminders_send


class Command(BaseCommand):
    help = "提醒即将届满的司法确认申请期限（人民调解法第三十三条）"

    def handle(self, *args, **options):
        sent = confirmation_reminders_send()
        self.stdout.write(f"已提醒{sent}件司法确认申请期限。")
