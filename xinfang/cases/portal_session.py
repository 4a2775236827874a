"""The petitioner's portal session keys: the case a 查询码 unlocked, and the receipts of web submissions.

Named here, below the two apps that read them — the portal (which writes them) and xinfang/documents
(which serves the petitioner's notices and receipts from them) — so neither imports the other
(docs/architecture.md, layers)."""

SESSION_CASE = "portal_case_id"
SESSION_RECEIPTS = "portal_receipts"
