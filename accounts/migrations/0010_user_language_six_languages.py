from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_reads_translations"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="language",
            field=models.CharField(
                blank=True,
                choices=[
                    ("ar", "العربية"),
                    ("zh-hans", "中文"),
                    ("en", "English"),
                    ("fr", "Français"),
                    ("ru", "Русский"),
                    ("es", "Español"),
                ],
                help_text="Empty: the language your browser asks for.",
                max_length=8,
                verbose_name="language of the site",
            ),
        ),
    ]
