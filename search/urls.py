from django.urls import path

from . import views
from .postings.feeds import NewPostingsAtomFeed, NewPostingsFeed

app_name = "search"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("for-resume/<uuid:public_id>/", views.resume_matches, name="resume_matches"),
    path("for-resume/<uuid:public_id>/filters/", views.resume_filters, name="resume_filters"),
    path("for-resume/<uuid:public_id>/visibility/", views.resume_visibility, name="resume_visibility"),
    path("for-resume/<uuid:public_id>/feedback/", views.resume_feedback, name="resume_feedback"),
    path("saved/", views.saved, name="saved"),
    path("applied/", views.applied, name="applied"),
    path("dismissed/", views.dismissed, name="dismissed"),
    path("alerts/", views.alert_settings, name="alerts"),
    path("alerts/unsubscribe/<str:token>/", views.alert_unsubscribe, name="unsubscribe"),
    path("feed/", NewPostingsFeed(), name="feed"),
    path("feed/atom/", NewPostingsAtomFeed(), name="feed_atom"),
    path("<int:pk>/", views.posting_detail, name="posting"),
    path("<int:pk>/apply/", views.posting_apply, name="apply"),
    path("<int:pk>/fit/", views.posting_fit, name="posting_fit"),
    path("fit/", views.fit, name="fit"),
]
