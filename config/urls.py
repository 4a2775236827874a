from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

admin.site.site_header = "信访事项依法办理系统 · 管理后台"
admin.site.site_title = "xinfang 管理后台"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("xinfang.orgs.urls")),
    path("api/v1/", include("xinfang.api.urls")),
    path("portal/", include("xinfang.portal.urls")),
    path("figures/", include("xinfang.analytics.urls")),
    path("ledger/", include("xinfang.deadlines.urls")),
    path("supervision/", include("xinfang.supervision.urls")),
    path("quality/", include("xinfang.evaluation.urls")),
    path("hall/", include("xinfang.reception.urls")),
    path("resolution/", include("xinfang.resolution.urls")),
    path("documents/", include("xinfang.documents.urls")),
    path("search/", include("xinfang.search.urls")),
    path("intake/", include("xinfang.intake.urls")),
    path("jobs/", include("xinfang.core.urls")),
    path("", include("xinfang.workspace.urls")),
]
# Uploaded files are never served from MEDIA_URL, not even in DEBUG: only through the permission-checked
# download (workspace case_attachment), so a case's visibility guards its files (issue #9).
