from tests import factories


def test_room_page_shows_thread(client, room, participant):
    c = factories.make_comment(room, participant, body="Hello **world**")
    r = factories.make_reply(c, body="A reply")
    r2 = factories.make_reply(r, body="A reply to a reply")
    resp = client.get(room.get_absolute_url())
    assert resp.status_code == 200, resp.content
    html = resp.content.decode()
    assert f'id="comment-{r2.pk}"' in html
    assert "<strong>world</strong>" in html
