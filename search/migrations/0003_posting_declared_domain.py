from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("search", "0002_posting_vocabulary")]

    operations = [
        migrations.AddField(
            model_name="jobposting",
            name="declared_domain",
            field=models.CharField(blank=True, editable=False, max_length=40),
        ),
        migrations.AddField(
            model_name="recommendation",
            name="why",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
