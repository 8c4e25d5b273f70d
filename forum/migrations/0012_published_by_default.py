from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('forum', '0011_moderator_invitations'),
    ]

    operations = [
        migrations.AlterField(
            model_name='consultation',
            name='is_published',
            field=models.BooleanField(default=True, help_text='Left off, only staff see it, as a preview.', verbose_name='published'),
        ),
        migrations.AlterField(
            model_name='room',
            name='is_published',
            field=models.BooleanField(default=True, help_text='Left off, only staff see it, as a preview.', verbose_name='published'),
        ),
    ]
