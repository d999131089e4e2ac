from django.contrib.admin.apps import AdminConfig


class StrideAdminConfig(AdminConfig):
    """django.contrib.admin with the project's site (portal.admin_site) as `admin.site`."""

    default_site = "portal.admin_site.StrideAdminSite"
