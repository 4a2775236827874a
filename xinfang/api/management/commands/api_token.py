from django.core.management.base import BaseCommand, CommandError

from xinfang.api.services import api_token_issue
from xinfang.orgs.models import User


class Command(BaseCommand):
    help = "为接口账号签发访问令牌（Authorization: Token <key>）。令牌只显示这一次，系统只保存其摘要。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="作废该账号的其他令牌")
        parser.add_argument("--label", default="", help="用途（如对接的系统名称）")

    def handle(self, *args, username: str, rotate: bool, label: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户 {username}")
        key = api_token_issue(user=user, rotate=rotate, label=label)
        self.stderr.write("令牌只显示这一次，请立即妥善保存：")
        self.stdout.write(key)
