from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import health, metrics, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", views.account, name="account"),
    path("accounts/data.json", views.account_data, name="account_data"),
    path("accounts/delete/", views.account_remove, name="account_delete"),
    path("resumes/", include("resumes.urls")),
    path("jobs/", include("search.urls")),
    path("recruit/", include("search.recruiting.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
]
