from django.core.management.base import BaseCommand, CommandError

from xinfang.api.services import api_token_issue
from xinfang.orgs.models import User


class Command(BaseCommand):
    help = "为接口账号签发访问令牌（Authorization: Token <key>）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="作废旧令牌并签发新令牌")

    def handle(self, *args, username: str, rotate: bool, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户 {username}")
        self.stdout.write(api_token_issue(user=user, rotate=rotate))
