from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Permission

from .models import User
from .policy import HOST_PERMISSION, may_host_expression


def _host_permission():
    app_label, codename = HOST_PERMISSION.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "time_zone", "may_host", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "display_name"]
    actions = ["allow_hosting", "stop_hosting"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "time_zone"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]}),
    ]

    def get_queryset(self, request):
        # The list shows may_host for every row: one expression, not two queries a row.
        return super().get_queryset(request).annotate(hosts=may_host_expression())

    @admin.display(boolean=True, description="May host", ordering="hosts")
    def may_host(self, user):
        return user.hosts

    @admin.action(description="Allow the selected people to host meetings", permissions=["change"])
    def allow_hosting(self, request, queryset):
        permission = _host_permission()
        for user in queryset:
            user.user_permissions.add(permission)
        self.message_user(request, f"{queryset.count()} may now host meetings.", messages.SUCCESS)

    @admin.action(description="Stop the selected people from hosting meetings", permissions=["change"])
    def stop_hosting(self, request, queryset):
        permission = _host_permission()
        for user in queryset:
            user.user_permissions.remove(permission)
        still = [user.email for user in User.objects.filter(pk__in=queryset) if user.may_host]
        if still:
            self.message_user(
                request,
                f"Still allowed through staff status or a group: {', '.join(still)}.",
                messages.WARNING,
            )
        else:
            self.message_user(request, f"{queryset.count()} may no longer host meetings.", messages.SUCCESS)
