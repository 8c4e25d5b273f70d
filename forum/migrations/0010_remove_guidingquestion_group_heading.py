from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('forum', '0009_question_groups_from_headings'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='guidingquestion',
            name='group_heading',
        ),
    ]
