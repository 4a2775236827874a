"""The one attachment policy (issue #9): which files a case may carry, judged by their content, not their
name or the type a browser claims. The staff form, the portal and the API all reach it through
`case_register`, so no path accepts what another refuses; files are read back only through the
permission-checked download (`attachment_get_for_actor`), never served straight from media."""

from __future__ import annotations

from django.utils.translation import gettext

from xinfang.cases.models import ALLOWED_ATTACHMENT_EXTENSIONS, MAX_ATTACHMENT_BYTES
from xinfang.core.errors import ValidationFailed

MAX_ATTACHMENTS = 5
MAX_NAME = 200
SNIFF_BYTES = 512
ZIP = b"PK\x03\x04"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The type a download is served as, by extension (only after its content was checked on the way in).
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain; charset=utf-8",
    "mp3": "audio/mpeg",
    "mp4": "video/mp4",
}


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in (name or "") else ""


def content_matches(ext: str, head: bytes) -> bool:
    """Do the first bytes look like a file of this extension (its magic number; text that decodes)?"""
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
        try:  # a multi-byte character may be cut at the end of the sample
            head[:-3].decode("utf-8")
            return True
        except UnicodeDecodeError:
            return False
    return False


def attachment_problem(f) -> tuple[str, str] | None:
    """(code, message) of what is wrong with one uploaded file, or None."""
    name = f.name or ""
    ext = extension_of(name)
    short = name[:60]
    if ext not in ALLOWED_ATTACHMENT_EXTENSIONS:
        return "attachment_type", gettext("附件“%(name)s”的类型不支持，只能上传：%(allowed)s。") % {
            "name": short,
            "allowed": "、".join(ALLOWED_ATTACHMENT_EXTENSIONS),
        }
    if len(name) > MAX_NAME:
        return "attachment_name", gettext("附件文件名过长（不超过200个字），请改名后再上传。")
    if not f.size:
        return "attachment_empty", gettext("附件“%(name)s”是空文件。") % {"name": short}
    if f.size > MAX_ATTACHMENT_BYTES:
        return "attachment_size", gettext("附件“%(name)s”超过%(mb)sMB，请压缩后再上传。") % {
            "name": short,
            "mb": MAX_ATTACHMENT_BYTES // (1024 * 1024),
        }
    f.seek(0)
    head = f.read(SNIFF_BYTES)
    f.seek(0)
    if not content_matches(ext, head):
        return "attachment_content", gettext(
            "附件“%(name)s”的内容与文件类型（.%(ext)s）不符，请上传真实的文件。"
        ) % {"name": short, "ext": ext}
    return None


def attachments_check(files) -> None:
    """Raise ValidationFailed (field "attachments") for the first file the policy refuses."""
    files = list(files or [])
    if len(files) > MAX_ATTACHMENTS:
        message = gettext("附件最多%(n)s个。") % {"n": MAX_ATTACHMENTS}
        raise ValidationFailed(message, code="attachment_count", extra={"attachments": message})
    for f in files:
        problem = attachment_problem(f)
        if problem is not None:
            code, message = problem
            raise ValidationFailed(message, code=code, extra={"attachments": message})


def attachment_content_type(name: str) -> str:
    return CONTENT_TYPES.get(extension_of(name), "application/octet-stream")


# —— the same policy as a form field (the staff intake form and the portal's submit form) ——

from django import forms  # noqa: E402
from django.core.exceptions import ValidationError as FormError  # noqa: E402


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input, each checked by the policy above next to the field (the service checks
    again, so a client that skips the form meets the same rule)."""

    def __init__(self, *args, **kwargs):
        accept = ",".join(f".{e}" for e in ALLOWED_ATTACHMENT_EXTENSIONS)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_ATTACHMENTS:
            raise FormError(gettext("附件最多%(n)s个。") % {"n": MAX_ATTACHMENTS})
        for f in files:
            if (problem := attachment_problem(f)) is not None:
                raise FormError(problem[1])
        return list(files)
