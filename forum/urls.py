from django.urls import path

from forum import views

app_name = "forum"

urlpatterns = [
    path("", views.home, name="home"),
    path("comment/<int:comment_id>/", views.comment_permalink, name="comment-permalink"),
    path("c/<slug:consultation_slug>/", views.consultation_detail, name="consultation"),
    path("c/<slug:consultation_slug>/<slug:room_slug>/", views.room_detail, name="room"),
    path("c/<slug:consultation_slug>/<slug:room_slug>/comment/", views.new_comment, name="new-comment"),
    path(
        "c/<slug:consultation_slug>/<slug:room_slug>/thread/<int:comment_id>/",
        views.thread_detail,
        name="thread",
    ),
    path(
        "c/<slug:consultation_slug>/<slug:room_slug>/reply/<int:comment_id>/",
        views.reply,
        name="reply",
    ),
]
