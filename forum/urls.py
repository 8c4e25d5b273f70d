from django.urls import path

from forum.views import (
    comments,
    email,
    exports,
    follows,
    mentions,
    moderation,
    notifications,
    profiles,
    search,
    summaries,
)

app_name = "forum"

urlpatterns = [
    path("", comments.home, name="home"),
    path("comment/<int:comment_id>/", comments.comment_permalink, name="comment-permalink"),
    path("u/<str:handle>/", profiles.profile, name="profile"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.mark_all_read, name="notifications-read"),
    path("notifications/<int:notification_id>/", notifications.open_notification, name="open-notification"),
    path("notifications/email/", email.email_preferences, name="email-preferences"),
    path("notifications/unsubscribe/<str:token>/", email.unsubscribe, name="unsubscribe"),
    path("mentions/suggest/", mentions.suggest_people, name="mention-suggestions"),
    path("comment/<int:comment_id>/flag/", moderation.flag_comment, name="flag-comment"),
    path("comment/<int:comment_id>/edit/", comments.edit_comment, name="edit-comment"),
    path("comment/<int:comment_id>/delete/", comments.delete_comment, name="delete-comment"),
    path("comment/<int:comment_id>/report/", comments.report_comment, name="report-comment"),
    path("comment/<int:comment_id>/history/", moderation.comment_history, name="comment-history"),
    path("comment/<int:comment_id>/moderate/", moderation.moderate_comment, name="moderate-comment"),
    path("comment/<int:comment_id>/moderate/<slug:action>/", moderation.act_on_comment, name="act-on-comment"),
    path("moderation/", moderation.moderation_queue, name="moderation-queue"),
    path("c/<slug:consultation_slug>/suspend/<str:handle>/", moderation.suspend_participant, name="suspend"),
    path(
        "c/<slug:consultation_slug>/suspensions/<int:suspension_id>/lift/",
        moderation.lift_suspension,
        name="lift-suspension",
    ),
    path("search/", search.search, name="search"),
    path("c/<slug:consultation_slug>/", comments.consultation_detail, name="consultation"),
    path("c/<slug:consultation_slug>/summary/", summaries.consultation_summary, name="consultation-summary"),
    path("c/<slug:consultation_slug>/export.csv", exports.consultation_csv, name="consultation-export-csv"),
    path("c/<slug:consultation_slug>/export.json", exports.consultation_json, name="consultation-export-json"),
    path("c/<slug:consultation_slug>/<slug:room_slug>/summary/", summaries.room_summary, name="room-summary"),
    path("c/<slug:consultation_slug>/<slug:room_slug>/export.csv", exports.room_csv, name="room-export-csv"),
    path("c/<slug:consultation_slug>/<slug:room_slug>/export.json", exports.room_json, name="room-export-json"),
    path(
        "c/<slug:consultation_slug>/<slug:room_slug>/summaries/",
        summaries.room_summary_list,
        name="room-summaries",
    ),
    path(
        "c/<slug:consultation_slug>/<slug:room_slug>/summaries/new/",
        summaries.write_room_summary,
        name="write-room-summary",
    ),
    path(
        "c/<slug:consultation_slug>/<slug:room_slug>/summaries/<int:summary_id>/edit/",
        summaries.edit_room_summary,
        name="edit-room-summary",
    ),
    path("c/<slug:consultation_slug>/<slug:room_slug>/", comments.room_detail, name="room"),
    path("c/<slug:consultation_slug>/<slug:room_slug>/comment/", comments.new_comment, name="new-comment"),
    path(
        "c/<slug:consultation_slug>/<slug:room_slug>/thread/<int:comment_id>/",
        comments.thread_detail,
        name="thread",
    ),
    path("c/<slug:consultation_slug>/<slug:room_slug>/follow/", follows.follow_room, name="follow-room"),
    path("c/<slug:consultation_slug>/<slug:room_slug>/state/", moderation.set_room_state, name="room-state"),
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
