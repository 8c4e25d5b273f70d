from django.http import Http404


def _pending(request, *args, **kwargs):
    raise Http404


search = consultation_summary = room_summary = room_summary_list = write_room_summary = edit_room_summary = _pending
consultation_csv = consultation_json = room_csv = room_json = _pending
