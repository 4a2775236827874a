"""What goes in and out of the API. Inputs are plain values (codes, ISO dates); services get model objects."""

from __future__ import annotations

from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from rest_framework import serializers

from xinfang.cases.models import Case, Category, Channel, Outcome, PetitionType, Route, State
from xinfang.cases.workflow import CLOCK_LABELS, Transition
from xinfang.deadlines.lights import light_for
from xinfang.orgs.models import Body, Region

# ------------------------------------------------------------------------------------------------ inputs

# Bounds for numbers and dates a client sends, so that none reaches the database or date arithmetic out of
# range (a 500 before): the database's integer, and dates no 信访 matter can have.
MAX_INT = 2**31 - 1
DATE_BOUNDS = [MinValueValidator(date(1949, 10, 1)), MaxValueValidator(date(2199, 12, 31))]


def BoundedDateField(**kwargs) -> serializers.DateField:
    return serializers.DateField(validators=DATE_BOUNDS, **kwargs)


# JSON has types: a number where the schema says string (or "1" where it says integer) is refused, not
# quietly converted, so the API does what its OpenAPI schema says.
class CharField(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class IntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class BooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class PetitionerIn(serializers.Serializer):
    name = CharField(max_length=100)
    id_number = CharField(max_length=18, required=False, allow_blank=True, default="")
    phone = CharField(max_length=20, required=False, allow_blank=True, default="")
    address = CharField(max_length=200, required=False, allow_blank=True, default="")
    is_representative = BooleanField(required=False, default=False)


class FlagsIn(serializers.Serializer):
    law_related = BooleanField(required=False, default=False)
    skipped_levels = BooleanField(required=False, default=False)
    is_group = BooleanField(required=False, default=False)
    is_backlog = BooleanField(required=False, default=False)
    leader_in_charge = BooleanField(required=False, default=False)
    reached_higher = BooleanField(required=False, default=False)
    cross_boundary = serializers.ListField(child=CharField(max_length=40), required=False, default=list)


class RegisterIn(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    petition_type = serializers.ChoiceField(choices=PetitionType.choices)
    problem_region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.all(), required=False, allow_null=True
    )
    request = CharField(min_length=1, max_length=5000)
    facts = CharField(required=False, allow_blank=True, default="")
    title = CharField(max_length=200, required=False, allow_blank=True, default="")
    subject_text = CharField(max_length=200, required=False, allow_blank=True, default="")
    subject_body = serializers.SlugRelatedField(
        slug_field="code", queryset=Body.objects.all(), required=False, allow_null=True
    )
    anonymous = BooleanField(required=False, default=False)
    people_count = IntegerField(min_value=1, max_value=100_000, required=False, allow_null=True)
    petitioners = PetitionerIn(many=True, required=False, default=list)
    flags = FlagsIn(required=False)
    force_new = BooleanField(required=False, default=False)
    force_reason = CharField(required=False, allow_blank=True, default="")


class SuggestPersonIn(serializers.Serializer):
    id_number = CharField(max_length=18, required=False, allow_blank=True, default="")
    phone = CharField(max_length=20, required=False, allow_blank=True, default="")


class SuggestIn(serializers.Serializer):
    title = CharField(max_length=200, required=False, allow_blank=True, default="")
    request = CharField(max_length=5000, required=False, allow_blank=True, default="")
    facts = CharField(required=False, allow_blank=True, default="")
    problem_region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), required=False, allow_null=True
    )
    subject_body = serializers.SlugRelatedField(
        slug_field="code", queryset=Body.objects.all(), required=False, allow_null=True
    )
    petitioners = SuggestPersonIn(many=True, required=False, default=list)

    def validate(self, attrs: dict) -> dict:
        if not (attrs["title"].strip() or attrs["request"].strip()):
            raise serializers.ValidationError({"request": "请填写信访诉求或标题。"})
        return attrs


class ActionIn(serializers.Serializer):
    """The union of every action's fields; which ones an action needs is in its `fields` (see /workflow/)."""

    expected_version = IntegerField(required=False, allow_null=True, min_value=0, max_value=MAX_INT)
    reason = CharField(required=False, allow_blank=True, default="")
    target_body = serializers.SlugRelatedField(
        slug_field="code", queryset=Body.objects.all(), required=False, allow_null=True
    )
    co_bodies = serializers.SlugRelatedField(
        slug_field="code", queryset=Body.objects.all(), many=True, required=False
    )
    due_date = BoundedDateField(required=False, allow_null=True)
    told_where = CharField(required=False, allow_blank=True)
    route = serializers.ChoiceField(choices=Route.choices, required=False, allow_blank=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False, allow_blank=True)
    text = CharField(required=False, allow_blank=True)
    days = IntegerField(required=False, allow_null=True, min_value=1, max_value=3650)
    hearing_date = BoundedDateField(required=False, allow_null=True)


class CaseFilterIn(serializers.Serializer):
    # An empty value means "any" (a form's blank select), so the schema lists "" among the choices.
    state = serializers.ChoiceField(choices=State.choices, required=False, allow_blank=True)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, allow_blank=True)
    petition_type = serializers.ChoiceField(choices=PetitionType.choices, required=False, allow_blank=True)
    category = CharField(required=False, help_text="内容分类代码")
    region = CharField(required=False, help_text="问题属地区划代码（含下级）")
    registered_from = BoundedDateField(required=False)
    registered_to = BoundedDateField(required=False)
    q = CharField(required=False, help_text="编号、标题或诉求中的文字")


# ----------------------------------------------------------------------------------------------- outputs

# How each action field is given, for clients that build forms from `allowed_actions`.
FIELD_SPECS: dict[str, dict] = {
    "target_body": {"type": "body_code", "label": "有权处理机关"},
    "co_bodies": {"type": "body_code[]", "label": "协办机关"},
    "due_date": {"type": "date", "label": "反馈期限"},
    "told_where": {"type": "string", "label": "告知向何处提出"},
    "route": {"type": "choice", "label": "处理途径", "choices": dict(Route.choices)},
    "outcome": {"type": "choice", "label": "处理意见", "choices": dict(Outcome.choices)},
    "text": {"type": "string", "label": "正文"},
    "days": {"type": "integer", "label": "延长天数"},
    "hearing_date": {"type": "date", "label": "听证日期"},
    "reason": {"type": "string", "label": "理由"},
}


class RefOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


def _ref(obj) -> dict | None:
    return {"code": obj.code, "name": obj.name} if obj is not None else None


class CaseListOut(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display")
    category = serializers.SerializerMethodField()
    problem_region = serializers.SerializerMethodField()
    current_body = serializers.SerializerMethodField()
    handling_body = serializers.SerializerMethodField()
    registering_body = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "number",
            "title",
            "state",
            "state_label",
            "channel",
            "petition_type",
            "category",
            "problem_region",
            "registering_body",
            "current_body",
            "handling_body",
            "is_repeat",
            "registered_at",
            "version",
        ]

    def get_category(self, case: Case) -> dict | None:
        return _ref(case.category)

    def get_problem_region(self, case: Case) -> dict | None:
        return _ref(case.problem_region)

    def get_current_body(self, case: Case) -> dict | None:
        return _ref(case.current_body)

    def get_handling_body(self, case: Case) -> dict | None:
        return _ref(case.handling_body)

    def get_registering_body(self, case: Case) -> dict | None:
        return _ref(case.registering_body)


class ClockOut(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    started_on = serializers.DateField()
    due_on = serializers.DateField()
    light = serializers.SerializerMethodField()
    is_open = serializers.BooleanField()
    is_window = serializers.BooleanField()
    on_time = serializers.BooleanField(allow_null=True)
    stopped_on = serializers.DateField(allow_null=True)
    # True when the due date reaches into a year whose holiday schedule nobody has entered: computed on
    # weekends alone and to be checked (issue 4); `counted` says how the date was reached.
    beyond_known_calendar = serializers.BooleanField()
    counted = serializers.ListField(child=serializers.CharField())

    def get_label(self, clock) -> str:
        return CLOCK_LABELS.get(clock.kind, clock.kind)

    def get_body(self, clock) -> dict | None:
        return _ref(clock.body)

    def get_light(self, clock) -> str | None:
        """Only a running clock has a light."""
        if not clock.is_open:
            return None
        return light_for(due=clock.due_on, today=self.context["today"]).value


class EventOut(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    action = serializers.CharField()
    actor = serializers.CharField(source="actor_label")
    body = serializers.SerializerMethodField()
    old = serializers.JSONField(source="old_values")
    new = serializers.JSONField(source="new_values")
    reason = serializers.CharField()
    legal_basis = serializers.CharField()

    def get_body(self, event) -> dict | None:
        return _ref(event.body)


class NoticeOut(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    legal_basis = serializers.CharField()
    next_right = serializers.CharField()
    next_right_deadline = serializers.DateField(allow_null=True)
    issued_at = serializers.DateTimeField()
    issued_by = serializers.SerializerMethodField()

    def get_issued_by(self, notice) -> dict | None:
        return _ref(notice.issued_by)


class ActionOut(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    reason_required = serializers.BooleanField()
    fields = serializers.SerializerMethodField(method_name="fields_of")

    def fields_of(self, t: Transition) -> list[dict]:
        return [{"name": f, **FIELD_SPECS.get(f, {"type": "string"})} for f in t.fields]


class CaseDetailOut(CaseListOut):
    flags = serializers.SerializerMethodField()
    clocks = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    notices = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    repeat_of = serializers.SerializerMethodField()

    class Meta(CaseListOut.Meta):
        fields = [
            *CaseListOut.Meta.fields,
            "request",
            "facts",
            "subject_text",
            "anonymous",
            "people_count",
            "route",
            "outcome",
            "review_outcome",
            "rereview_outcome",
            "extension_days",
            "in_hearing",
            "assignment_due",
            "repeat_of",
            "flags",
            "clocks",
            "events",
            "notices",
            "allowed_actions",
        ]

    def get_flags(self, case: Case) -> dict:
        return {
            "law_related": case.law_related,
            "skipped_levels": case.skipped_levels,
            "is_group": case.is_group,
            "is_backlog": case.is_backlog,
            "leader_in_charge": case.leader_in_charge,
            "reached_higher": case.reached_higher,
            "is_repeat": case.is_repeat,
            "cross_boundary": case.cross_boundary,
        }

    def get_repeat_of(self, case: Case) -> str | None:
        return self.context["detail"].repeat_of  # only a first case the caller may see (Art. 30)

    def get_clocks(self, case: Case) -> list[dict]:
        return ClockOut(self.context["detail"].clocks, many=True, context=self.context).data

    def get_events(self, case: Case) -> list[dict]:
        return EventOut(self.context["detail"].events, many=True).data

    def get_notices(self, case: Case) -> list[dict]:
        return NoticeOut(self.context["detail"].notices, many=True).data

    def get_allowed_actions(self, case: Case) -> list[dict]:
        return ActionOut(self.context["detail"].actions, many=True).data


class RegisterOut(serializers.Serializer):
    number = serializers.CharField()
    query_code = serializers.CharField(help_text="查询码，只在登记时返回一次")
    outcome = serializers.CharField()
    message = serializers.CharField()
    earlier = serializers.CharField(allow_null=True)
    case = CaseDetailOut()


class SuggestionOut(serializers.Serializer):
    """What `xinfang.intake.suggest.intake_suggest` returns; every part says why (`because`)."""

    category = serializers.DictField(
        allow_null=True, help_text="name, code, confidence, evidence, because, uncertain, runner_up"
    )
    type = serializers.DictField(allow_null=True, help_text="petition_type, label, because")
    law_related = serializers.DictField(allow_null=True, help_text="flagged, because")
    routes = serializers.ListField(
        child=serializers.DictField(),
        help_text="action, body_code, body_name, because, legal_basis, required",
    )
    repeats = serializers.ListField(child=serializers.DictField(), help_text="number, state, because")


class ErrorOut(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    detail = serializers.DictField()
