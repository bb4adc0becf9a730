from allauth.account import views as allauth_views
from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path
from django.views.generic import RedirectView

from search.api import api
from search.postings.public import PostingSitemap

from . import health, metrics, signup, views

SITEMAPS = {"postings": PostingSitemap}

# The admin's login is the site's (allauth: the same rate limits, two-factor authentication).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/signup/", signup.signup, name="signup"),
    path("accounts/login/", allauth_views.login, name="login"),
    path("accounts/logout/", allauth_views.logout, name="logout"),
    path("accounts/", views.account, name="account"),
    path("accounts/data.json", views.account_data, name="account_data"),
    path("accounts/delete/", views.account_remove, name="account_delete"),
    path("accounts/api-tokens/", views.api_token_create, name="api_token_create"),
    path("accounts/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    # Email addresses and verification, password change and reset, two-factor authentication, sessions.
    path("accounts/", include("allauth.urls")),
    path("resumes/", include("resumes.urls")),
    path("jobs/", include("search.urls")),
    path("recruit/", include("search.recruiting.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    # Open postings for search engines: an index of sitemaps of at most 50,000 pages each.
    path("sitemap.xml", sitemaps.index, {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"}, name="sitemap"),
    path("sitemap-<section>.xml", sitemaps.sitemap, {"sitemaps": SITEMAPS}, name="sitemap_section"),
    path("robots.txt", views.robots, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False), name="api_docs"),
]
