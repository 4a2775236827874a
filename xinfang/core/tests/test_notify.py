import logging

from xinfang.core.notify import LocmemSmsBackend, sms_send


def test_logged_sms_hides_the_query_code_and_the_phone(caplog):
    LocmemSmsBackend.sent.clear()
    with caplog.at_level(logging.INFO, logger="xinfang.notify"):
        sms_send(
            phone="13812345678", text="【信访】您的信访事项已登记，编号X-2026-000001，查询码ABCDEF23456。"
        )
    assert "ABCDEF23456" not in caplog.text and "13812345678" not in caplog.text
    assert "查询码***" in caplog.text and "138****5678" in caplog.text
    assert LocmemSmsBackend.sent[-1].text.endswith("查询码ABCDEF23456。")  # the message itself is intact


def test_the_production_backend_keeps_nothing(settings):
    """The default backend only logs: no message (查询码 included) stays in the process's memory."""
    from xinfang.core.notify import LoggingSmsBackend

    settings.XINFANG_SMS_BACKEND = "xinfang.core.notify.LoggingSmsBackend"
    LocmemSmsBackend.sent.clear()
    sms_send(phone="13812345678", text="查询码ABCDEF23456")
    assert not hasattr(LoggingSmsBackend, "sent") and LocmemSmsBackend.sent == []
    assert not any(isinstance(v, list) for v in vars(LoggingSmsBackend).values())
