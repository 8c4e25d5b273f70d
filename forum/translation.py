"""The texts kept in every interface language (django-modeltranslation finds
this module by its name): a column per language beside each field, `title_en`,
`title_es`… on the same row, so a page reads every language in the query it
already makes. Rendered HTML is kept per language too, rendered from that
language's source (forum.services.texts, forum.services.summaries). Slugs are
not translated: addresses are the same in every language. Comments are not
here: they stay as written, and machine translation (forum.machine_translation)
offers them in other languages."""

from modeltranslation.translator import TranslationOptions, register

from forum.models import PLACE_TEXT_FIELDS, Consultation, GuidingQuestion, QuestionGroup, Room, RoomSummary

PLACE_TRANSLATED_FIELDS = ("title", *PLACE_TEXT_FIELDS, *(f"{name}_html" for name in PLACE_TEXT_FIELDS))


@register(Consultation)
class ConsultationTranslation(TranslationOptions):
    fields = PLACE_TRANSLATED_FIELDS


@register(Room)
class RoomTranslation(TranslationOptions):
    fields = PLACE_TRANSLATED_FIELDS


@register(QuestionGroup)
class QuestionGroupTranslation(TranslationOptions):
    fields = ("heading",)


@register(GuidingQuestion)
class GuidingQuestionTranslation(TranslationOptions):
    fields = ("text",)


@register(RoomSummary)
class RoomSummaryTranslation(TranslationOptions):
    fields = ("body_source", "body_html")
