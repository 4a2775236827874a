"""The shipped default criteria set: the 18 criteria of 三到位一处理 (条例 Art. 27), written in the project's
own words from the article and the seed report's four categories (4 situations, 5 tasks, 6 aspects, 3 cases).
A deployment edits wording and weights through the criteria editor, which makes a new version; this version 1
stays as the reviews that used it saw it."""

from django.db import migrations

KEY = "sandaowei"
NAME = "三到位一处理评价标准"

DEFAULT_CRITERIA = [
    # 解决问题到位：诉求合理的 (4 situations)
    ("solve", "solve-1", "诉求合理且有法律、政策依据的，已依法予以支持，处理意见载明的事项已落实，信访人的合法权益得到实现。"),
    ("solve", "solve-2", "诉求事由合理但缺乏法律依据的，已作出解释说明（第三十二条第二项），并协调可行措施予以解决或部分解决。"),
    ("solve", "solve-3", "涉及两个以上机关、单位的，已协商明确牵头和配合单位并一并解决，没有推诿、敷衍、拖延（第二十四条、第二十八条）。"),
    ("solve", "solve-4", "处理意见已兑现，问题得到实际解决，信访人没有就同一事项再次信访或请求复查、复核。"),
    # 思想教育到位：诉求无理的 (5 tasks)
    ("educate", "educate-1", "已当面或通过电话听取信访人陈述事实和理由，了解其真实诉求和思想状况。"),
    ("educate", "educate-2", "对缺乏事实根据或不符合规定的诉求，已用信访人听得懂的话释法明理、讲清政策和不予支持的理由。"),
    ("educate", "educate-3", "已书面告知复查、复核等救济途径和期限，引导信访人依法、理性表达诉求。"),
    ("educate", "educate-4", "已开展心理疏导，必要时邀请律师、心理咨询师、人民调解员或信访人信任的人共同做工作。"),
    ("educate", "educate-5", "已回访跟踪信访人思想动态，信访人对处理结果表示理解，或者息诉罢访。"),
    # 帮扶救助到位：生活困难的 (6 aspects)
    ("assist", "assist-1", "已核实信访人家庭收入、住房、就业、医疗、子女教育等方面的实际困难。"),
    ("assist", "assist-2", "符合条件的，已协助申请最低生活保障、特困供养、临时救助等社会救助。"),
    ("assist", "assist-3", "有就业困难的，已提供就业岗位信息、技能培训或公益性岗位等帮扶。"),
    ("assist", "assist-4", "有医疗、住房、子女就学困难的，已协调有关部门按政策给予帮助。"),
    ("assist", "assist-5", "需要法律帮助的，已引导申请法律援助或安排法律咨询。"),
    ("assist", "assist-6", "已明确帮扶责任人并跟踪帮扶成效，信访人的困难得到实际缓解。"),
    # 依法处理：行为违法的 (3 cases)
    ("lawful", "lawful-1", "信访人有第二十六条所列违法行为的，已当场劝阻、批评教育，并如实记录。"),
    ("lawful", "lawful-2", "经劝阻、教育仍不改正或情节严重的，已交由公安机关依法处置，处置合法、适当。"),
    ("lawful", "lawful-3", "依法处理违法行为的同时，其合理诉求仍依法办理，没有以处理代替解决，也没有打击报复信访人（第十八条）。"),
]


def forward(apps, schema_editor):
    CriteriaSet = apps.get_model("evaluation", "CriteriaSet")
    Criterion = apps.get_model("evaluation", "Criterion")
    if CriteriaSet.objects.filter(key=KEY).exists():
        return
    version = CriteriaSet.objects.create(key=KEY, name=NAME, version=1, change_note="系统默认标准（18条）")
    Criterion.objects.bulk_create(
        Criterion(criteria_set=version, group=group, code=code, ordinal=i, text=text, weight=1)
        for i, (group, code, text) in enumerate(DEFAULT_CRITERIA, start=1)
    )


def backward(apps, schema_editor):
    CriteriaSet = apps.get_model("evaluation", "CriteriaSet")
    Criterion = apps.get_model("evaluation", "Criterion")
    sets = CriteriaSet.objects.filter(key=KEY, version=1)
    Criterion.objects.filter(criteria_set__in=sets).delete()
    sets.delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0002_quality_review")]
    operations = [migrations.RunPython(forward, backward)]
