def acting_body(request):
    actor = getattr(request, "actor", None)
    if actor is None or not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"actor": None}
    return {"actor": actor if actor else None}
