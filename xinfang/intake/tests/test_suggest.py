import pytest

from xinfang.intake.suggest import intake_suggest
from xinfang.orgs.models import Body, Region

pytestmark = pytest.mark.django_db


def test_suggestions_come_with_reasons(demo_city):
    out = intake_suggest(
        registrar_body=Body.objects.get(code="990101-xinfang"),
        title="小区楼顶漏水物业不管",
        request="我家住在东华街道某小区，楼顶漏水多年，物业和开发商互相推诿，请求责令维修",
        problem_region=Region.objects.get(code="990101001"),
    )
    assert out["category"]["name"] == "城乡建设" and out["category"]["because"]
    # the reason names words of this message that the model weighed, and they are in the text
    evidence = out["category"]["evidence"]
    assert "物业" in evidence or "漏水" in evidence
    text = "小区楼顶漏水物业不管" + "我家住在东华街道某小区，楼顶漏水多年，物业和开发商互相推诿，请求责令维修"
    assert all(w in text for w in evidence)
    assert "依据文中的“" in out["category"]["because"]
    assert out["type"]["petition_type"] in {"appeal", "suggestion", "accusation"}
    assert out["routes"] and out["routes"][0]["body_code"] == "990101-housing"
    assert out["routes"][0]["because"].startswith("因为")


def test_empty_text_suggests_nothing(demo_city):
    out = intake_suggest(registrar_body=Body.objects.get(code="990101-xinfang"))
    assert out["category"] is None and out["routes"] == []


def test_a_vague_request_is_marked_uncertain_with_its_runner_up(demo_city):
    xinfang = Body.objects.get(code="990101-xinfang")
    vague = intake_suggest(registrar_body=xinfang, request="请求解决问题")["category"]
    assert vague["uncertain"] is True and vague["confidence"] < 0.6
    assert vague["runner_up"]["name"] != vague["name"]
    assert vague["runner_up"]["confidence"] <= vague["confidence"]
    clear = intake_suggest(registrar_body=xinfang, request="学校乱收补课费，老师体罚学生")["category"]
    assert clear["uncertain"] is False and clear["name"] == "教育文体"
