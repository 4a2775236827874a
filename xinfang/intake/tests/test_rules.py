from xinfang.intake.rules import flag_legal, suggest_type


def test_jianju_report_corruption():
    s = suggest_type("实名举报某镇干部贪污扶贫资金，请纪委严查")
    assert s.petition_type == "检举控告类"
    assert any('"举报"' in r or '"实名举报"' in r for r in s.reasons)
    assert "条例第三十条" in s.reasons[0]


def test_jianyi_suggestion():
    s = suggest_type("建议在A市A3区地铁站附近增设公交站点，方便市民换乘")
    assert s.petition_type == "建议意见类"
    assert any('"建议"' in r for r in s.reasons)


def test_shensu_wage_arrears():
    s = suggest_type("公司拖欠我们工资半年，恳请政府帮忙解决")
    assert s.petition_type == "申诉求决类"


def test_default_is_shensu_with_reason():
    s = suggest_type("你好")
    assert s.petition_type == "申诉求决类"
    assert s.reasons and "默认" in s.reasons[0]


def test_legal_flag_court_and_arbitration():
    f = flag_legal("法院一审判决后对方拒不履行，申请执行一年仍未拿到执行款")
    assert f.flagged
    assert any("审判机关" in b for b in f.bases)
    g = flag_legal("劳动仲裁裁决公司支付工资，公司不服")
    assert g.flagged and any("仲裁" in b for b in g.bases)
    h = flag_legal("对区政府的征收决定不服，已申请行政复议")
    assert h.flagged and any("行政复议" in b for b in h.bases)


def test_legal_flag_not_for_ordinary_matters():
    assert not flag_legal("小区门口路灯坏了很久，晚上出行不便").flagged
    assert not flag_legal("建议增加公交班次").flagged


def test_longer_keyword_not_double_counted():
    f = flag_legal("已申请劳动仲裁")
    assert [r for r in f.reasons if '"仲裁"' in r] == []
    assert any('"劳动仲裁"' in r for r in f.reasons)
