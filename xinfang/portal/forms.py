"""The portal's forms: every limit a petitioner can hit is checked here, in Chinese, before any write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from xinfang.cases.models import ALLOWED_ATTACHMENT_EXTENSIONS, MAX_ATTACHMENT_BYTES, PetitionType
from xinfang.cases.querycode import ALPHABET, LENGTH, normalize
from xinfang.evaluation.models import Satisfaction
from xinfang.orgs.models import Region, RegionLevel
from xinfang.people.validators import normalize_id_number, normalize_phone, validate_id_number, validate_phone
from xinfang.portal.humancheck import HONEYPOT_FIELD

MAX_ATTACHMENTS = 5
REQUEST_MAX = 5000  # the registration service's own limit
FACTS_MAX = 20000
REASON_MAX = 2000
NUMBER_MAX = 60

PETITION_TYPE_HELP = {
    PetitionType.APPEAL: "为自己或他人的合法权益提出请求，希望有关机关解决具体问题（如拖欠工资、房屋漏水、补偿未到位）。",
    PetitionType.SUGGESTION: "对政府工作、公共事务提出建议或意见，希望被研究采纳（如增设公交站点）。",
    PetitionType.ACCUSATION: "检举、控告国家工作人员或单位的违纪违法行为。您的检举材料不会转给被检举的人员或单位（第三十条）。",
}


def _too_long(label: str, n: int) -> str:
    return f"{label}不能超过{n}个字，请删减后再提交（较长的材料可以作为附件上传）。"


def _required(label: str) -> str:
    return f"请填写{label}。"


# File signatures ("magic bytes"): a file must look like what its name says. Extensions not listed here
# are refused outright; office documents are checked for their container format (OLE2 or ZIP).
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"


def _looks_like(ext: str, head: bytes) -> bool:
    if ext == "pdf":
        return head.startswith(b"%PDF-")
    if ext in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in ("doc", "xls"):
        return head.startswith(OLE2)
    if ext in ("docx", "xlsx"):
        return head.startswith(ZIP)
    if ext == "mp4":
        return head[4:8] == b"ftyp"
    if ext == "mp3":
        return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
    if ext == "txt":
        if b"\x00" in head:
            return False
        for encoding in ("utf-8", "gb18030"):
            try:
                head.decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
        # A multi-byte character may be cut at the end of the sample.
        try:
            head[:-3].decode("utf-8")
            return True
        except UnicodeDecodeError:
            return False
    return False


def attachment_check(f) -> None:
    name = f.name or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = "、".join(ALLOWED_ATTACHMENT_EXTENSIONS)
    if ext not in ALLOWED_ATTACHMENT_EXTENSIONS:
        raise ValidationError(f"附件“{name[:60]}”的类型不支持，只能上传：{allowed}。")
    if len(name) > 200:
        raise ValidationError("附件文件名过长（不超过200个字），请改名后再上传。")
    if f.size == 0:
        raise ValidationError(f"附件“{name[:60]}”是空文件。")
    if f.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            f"附件“{name[:60]}”超过{MAX_ATTACHMENT_BYTES // (1024 * 1024)}MB，请压缩后再上传。"
        )
    f.seek(0)
    head = f.read(512)
    f.seek(0)
    if not _looks_like(ext, head):
        raise ValidationError(f"附件“{name[:60]}”的内容与文件类型（.{ext}）不符，请上传真实的文件。")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": ",".join(f".{e}" for e in ALLOWED_ATTACHMENT_EXTENSIONS)}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(f"附件最多{MAX_ATTACHMENTS}个。")
        for f in files:
            attachment_check(f)
        return list(files)


def region_choices() -> list:
    """问题属地 as the petitioner knows it: the city, then each county with its townships."""
    regions = list(Region.objects.order_by("path").only("pk", "name", "level", "parent_id", "path"))
    choices: list = [("", "请选择问题发生地")]
    by_parent: dict[int | None, list[Region]] = {}
    for r in regions:
        by_parent.setdefault(r.parent_id, []).append(r)
    for city in (r for r in regions if r.level == RegionLevel.CITY):
        choices.append((str(city.pk), f"{city.name}（市级）"))
        for county in by_parent.get(city.pk, []):
            group = [(str(county.pk), f"{county.name}（区县级）")]
            group += [(str(t.pk), f"{county.name} · {t.name}") for t in by_parent.get(county.pk, [])]
            choices.append((county.name, group))
    return choices


class SubmitForm(forms.Form):
    name = forms.CharField(
        label="姓名",
        max_length=50,
        error_messages={"required": _required("真实姓名"), "max_length": _too_long("姓名", 50)},
    )
    id_number = forms.CharField(
        label="身份证号码",
        max_length=18 + 4,
        error_messages={"required": _required("身份证号码"), "max_length": "身份证号码应为18位。"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(
        label="手机号码",
        max_length=20,
        help_text="用于接收编号、查询码和办理进展短信。",
        error_messages={"required": _required("手机号码"), "max_length": "电话号码过长。"},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label="电子邮箱（选填）",
        required=False,
        max_length=254,
        error_messages={"invalid": "电子邮箱格式不正确。", "max_length": "电子邮箱过长。"},
    )
    address = forms.CharField(
        label="通信地址",
        max_length=200,
        error_messages={"required": _required("通信地址"), "max_length": _too_long("通信地址", 200)},
    )
    problem_region = forms.TypedChoiceField(
        label="问题发生地（问题属地）",
        coerce=int,
        help_text="问题发生在哪个区县、乡镇（街道），就选哪里；您的信访将由当地信访部门登记办理。",
        error_messages={"required": "请选择问题发生地。", "invalid_choice": "请选择列表中的问题发生地。"},
    )
    petition_type = forms.ChoiceField(
        label="信访类型",
        choices=PetitionType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择信访类型。", "invalid_choice": "请选择列表中的信访类型。"},
    )
    request_text = forms.CharField(
        label="您的诉求",
        max_length=REQUEST_MAX,
        help_text="简要写明希望有关机关做什么。",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _required("诉求"), "max_length": _too_long("诉求", REQUEST_MAX)},
    )
    facts = forms.CharField(
        label="事实和理由",
        max_length=FACTS_MAX,
        help_text="发生了什么、何时何地、找过哪些部门、结果如何。",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _required("事实和理由"),
            "max_length": _too_long("事实和理由", FACTS_MAX),
        },
    )
    attachments = AttachmentsField(label="附件（选填）", required=False)
    human_answer = forms.CharField(
        label="验证题",
        max_length=4,
        error_messages={"required": "请回答验证题。", "max_length": "验证题答案不正确，请重新作答。"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "size": 4}),
    )
    human_token = forms.CharField(widget=forms.HiddenInput, max_length=400, required=False)
    # The honeypot: hidden from people by CSS and aria-hidden; scripts that fill every field fill it.
    website = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problem_region"].choices = region_choices()
        assert HONEYPOT_FIELD == "website"

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_required("真实姓名"))
        if any(c in name for c in "<>{}[]\\/|@#$%^*=+~`") or any(ord(c) < 32 for c in name):
            raise ValidationError("姓名中含有不能使用的符号。")
        return name

    def clean_id_number(self) -> str:
        value = normalize_id_number(self.cleaned_data["id_number"])
        try:
            validate_id_number(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from None
        return value

    def clean_phone(self) -> str:
        value = normalize_phone(self.cleaned_data["phone"])
        try:
            validate_phone(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from None
        return value

    def clean_problem_region(self) -> Region:
        region = Region.objects.filter(pk=self.cleaned_data["problem_region"]).first()
        if region is None:
            raise ValidationError("请选择列表中的问题发生地。")
        return region

    def clean_request_text(self) -> str:
        value = self.cleaned_data["request_text"].strip()
        if len(value) < 5:
            raise ValidationError("诉求太短，请写明希望有关机关做什么（至少5个字）。")
        return value


def _code_chars_ok(value: str) -> bool:
    return len(value) == LENGTH and all(c in ALPHABET for c in value)


class TrackForm(forms.Form):
    number = forms.CharField(
        label="编号",
        max_length=NUMBER_MAX,
        error_messages={"required": "请填写编号。", "max_length": "编号或查询码不正确。"},
    )
    code = forms.CharField(
        label="查询码",
        max_length=40,
        error_messages={"required": "请填写查询码。", "max_length": "编号或查询码不正确。"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip()

    def clean_code(self) -> str:
        # A malformed code is simply a wrong code: same answer, and it still counts as a try.
        return normalize(self.cleaned_data["code"])

    def code_well_formed(self) -> bool:
        return _code_chars_ok(self.cleaned_data.get("code", ""))


class EvaluateForm(forms.Form):
    result = forms.ChoiceField(
        label="您对答复的评价",
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "请选择满意、基本满意或不满意。",
            "invalid_choice": "请选择满意、基本满意或不满意。",
        },
    )
    comment = forms.CharField(
        label="意见（选填）",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _too_long("意见", REASON_MAX)},
    )


class AppealForm(forms.Form):
    """请求复查 / 复核: the reason is required by the table."""

    reason = forms.CharField(
        label="请求理由",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "请写明请求的理由。", "max_length": _too_long("请求理由", REASON_MAX)},
    )
