from django.urls import path

from forum.views import comments, email, follows, mentions, notifications

app_name = "forum"

urlpatterns = [
    path("", comments.home, name="home"),
    path("comment/<int:comment_id>/", comments.comment_permalink, name="comment-permalink"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.mark_all_read, name="notifications-read"),
    path("notifications/<int:notification_id>/", notifications.open_notification, name="open-notification"),
    path("notifications/email/", email.email_preferences, name="email-preferences"),
    path("notifications/unsubscribe/<str:token>/", email.unsubscribe, name="unsubscribe"),
    path("mentions/suggest/", mentions.suggest_people, name="mention-suggestions"),
    path("comment/<int:comment_id>/flag/", notifications.flag_comment, name="flag-comment"),
    path("c/<slug:consultation_slug>/", comments.consultation_detail, name="consultation"),
    path("c/<slug:consultation_slug>/<slug:room_slug>/", comments.room_detail, name="room"),
    path("c/<slug:consultation_slug>/<slug:room_slug>/comment/", comments.new_comment, name="new-comment"),
    path(
        "c/<slug:consultation_slug>/<slug:room_slug>/thread/<int:comment_id>/",
        comments.thread_detail,
        name="thread",
    ),
    path("c/<slug:consultation_slug>/<slug:room_slug>/follow/", follows.follow_room, name="follow-room"),
    path(
        "c/<slug:consultation_slug>/<slug:room_slug>/thread/<int:comment_id>/follow/",
        follows.follow_thread,
        name="follow-thread",
    ),
    path(
        "c/<slug:consultation_slug>/<slug:room_slug>/reply/<int:comment_id>/",
        comments.reply,
        name="reply",
    ),
]
