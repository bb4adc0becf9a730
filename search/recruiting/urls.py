from django.urls import path

from . import views

app_name = "recruit"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("overview/", views.overview, name="overview"),
    path("postings/new/", views.posting_edit, name="posting_new"),
    path("postings/<int:pk>/", views.posting_candidates, name="posting"),
    path("postings/<int:pk>/edit/", views.posting_edit, name="posting_edit"),
    path("postings/<int:pk>/close/", views.posting_toggle, {"open": False}, name="posting_close"),
    path("postings/<int:pk>/reopen/", views.posting_toggle, {"open": True}, name="posting_reopen"),
    path("postings/<int:pk>/candidates/status/", views.candidates_status, name="candidates_status"),
    path("postings/<int:pk>/candidates/refresh/", views.candidates_rerank, name="candidates_refresh"),
    path("postings/<int:pk>/candidates/<uuid:public_id>/", views.candidate_detail, name="candidate"),
    path("postings/<int:pk>/candidates/<uuid:public_id>/file/", views.candidate_file, name="candidate_file"),
    path("postings/<int:pk>/candidates/<uuid:public_id>/stage/", views.candidate_stage, name="stage"),
    path("postings/<int:pk>/pipeline/", views.posting_pipeline, name="pipeline"),
    path("postings/<int:pk>/pipeline.csv", views.pipeline_export, name="pipeline_csv"),
    path("invitations/", views.invitations, name="invitations"),
    path("imports/new/", views.import_new, name="import_new"),
    path("imports/<uuid:public_id>/", views.import_detail, name="import"),
    path("imports/<uuid:public_id>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<uuid:public_id>/status/", views.import_status, name="import_status"),
    path("imports/<uuid:public_id>/rejected.csv", views.import_rejected, name="import_rejected"),
]
