from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from xinfang.orgs.middleware import SESSION_KEY
from xinfang.orgs.selectors import memberships_for


class LoginView(auth_views.LoginView):
    template_name = "orgs/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        bodies = {m.body_id for m in memberships_for(form.get_user())}
        self.request.session.pop(SESSION_KEY, None)
        if len(bodies) == 1:
            self.request.session[SESSION_KEY] = bodies.pop()
        elif len(bodies) > 1:
            return redirect("choose_body")
        return response


class ChooseBodyForm(forms.Form):
    body = forms.ChoiceField(label="以哪个机关的身份办理", widget=forms.RadioSelect)


@login_required
@require_http_methods(["GET", "POST"])
def choose_body(request):
    memberships = list(memberships_for(request.user))
    choices: dict[int, str] = {}
    for m in memberships:
        label = choices.get(m.body_id, f"{m.body.name}：")
        choices[m.body_id] = label + ("" if label.endswith("：") else "、") + m.get_role_display()
    form = ChooseBodyForm(request.POST or None)
    form.fields["body"].choices = list(choices.items())
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_KEY] = int(form.cleaned_data["body"])
        messages.success(request, "已切换办理机关。")
        return redirect("home")
    return render(request, "orgs/choose_body.html", {"form": form, "no_membership": not memberships})


class LogoutView(auth_views.LogoutView):
    pass
