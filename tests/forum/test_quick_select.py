"""QuickSelect draws the same markup as Django's Select, without a template per option."""

import re

import pytest
from django import forms

from forum.forms import QuickSelect

CHOICES = [("", "Any <question>"), ("1", 'One & "two"'), ("es", "Español")]


def fields(**options):
    class Form(forms.Form):
        plain = forms.ChoiceField(choices=CHOICES, widget=forms.Select, **options)
        quick = forms.ChoiceField(choices=CHOICES, widget=QuickSelect, **options)

    return Form


def same_markup(form):
    drawn = str(form["quick"]).replace("quick", "plain")
    return re.sub(r">\s+<", "><", str(form["plain"]).strip()), re.sub(r">\s+<", "><", drawn.strip())


@pytest.mark.parametrize(
    "options, data",
    [
        ({"required": False, "help_text": "Pick one."}, {"plain": "es", "quick": "es"}),
        ({"required": True}, {}),
        ({"required": False, "disabled": True}, None),
    ],
)
def test_the_same_markup_as_django_s_select(options, data):
    plain, quick = same_markup(fields(**options)(data))
    assert plain == quick
    assert "&lt;question&gt;" in quick and "&amp; &quot;two&quot;" in quick
