from django.urls import path

from . import views

app_name = "resumes"
urlpatterns = [
    path("", views.resume_list, name="list"),
    path("<uuid:public_id>/", views.resume_detail, name="detail"),
    path("<uuid:public_id>/status/", views.resume_status, name="status"),
    path("<uuid:public_id>/file/", views.resume_file, name="file"),
    path("<uuid:public_id>/delete/", views.resume_remove, name="delete"),
    path("<uuid:public_id>/profile/", views.profile_edit, name="profile"),
]
