"""Accounts made before sign-up asked for an email address: an address the account already had is kept,
unverified (its owner is asked to verify it); an account without one is asked for it at its next login
(jobmatch.accounts_guard)."""

from django.conf import settings
from django.db import migrations


def addresses_for_existing_users(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    EmailAddress = apps.get_model("account", "EmailAddress")
    taken = set(EmailAddress.objects.values_list("email", flat=True))
    for user in User.objects.exclude(email="").filter(emailaddress__isnull=True).order_by("pk"):
        email = user.email.strip().lower()
        if email and email not in taken:  # one account per address: a later duplicate is asked for another
            EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
            taken.add(email)


class Migration(migrations.Migration):
    dependencies = [
        ("jobmatch", "0001_worker_heartbeats"),
        ("account", "0009_emailaddress_unique_primary_email"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(addresses_for_existing_users, migrations.RunPython.noop)]
