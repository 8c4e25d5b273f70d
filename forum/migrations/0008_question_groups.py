import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Question groups as rows of their own; 0009 moves the headings into them and
    0010 removes GuidingQuestion.group_heading (three steps: PostgreSQL refuses to
    alter a table in the transaction that has just updated its rows)."""

    dependencies = [
        ('forum', '0007_summary_cited_comments'),
    ]

    operations = [
        migrations.CreateModel(
            name='QuestionGroup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('heading', models.CharField(max_length=200, verbose_name='heading')),
                ('position', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
                ('room', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='question_groups', to='forum.room', verbose_name='room')),
            ],
            options={
                'verbose_name': 'question group',
                'verbose_name_plural': 'question groups',
                'ordering': ['room', 'position', 'id'],
            },
        ),
        migrations.AddField(
            model_name='guidingquestion',
            name='group',
            field=models.ForeignKey(blank=True, help_text='Questions without a group come first, under no heading.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='questions', to='forum.questiongroup', verbose_name='group'),
        ),
        migrations.AlterField(
            model_name='guidingquestion',
            name='position',
            field=models.PositiveSmallIntegerField(default=0, help_text='Its place within its group.', verbose_name='position'),
        ),
        migrations.AlterModelOptions(
            name='guidingquestion',
            options={'ordering': ['room_id', models.OrderBy(models.F('group__position'), nulls_first=True), 'group_id', 'position', 'id'], 'verbose_name': 'guiding question', 'verbose_name_plural': 'guiding questions'},
        ),
    ]
