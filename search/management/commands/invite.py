from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from search.models import Invitation, Organisation
from search.recruiting.invitations import invitation_link, invitation_send


class Command(BaseCommand):
    help = (
        "Print a one-time sign-up code (and link, on JOBMATCH_SITE_URL) for an administrator, or for a recruiter "
        "of an organisation (--organisation NAME; --create makes the organisation), and email it with --email. "
        "For the first admin of a new site."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", choices=["admin", "recruiter"], required=True)
        parser.add_argument("--organisation", help="recruiters: the organisation's name")
        parser.add_argument("--create", action="store_true", help="create the organisation if it does not exist")
        parser.add_argument("--email", default="", help="who it is for: the invitation is emailed there")

    def handle(
        self,
        *args: object,
        role: str,
        organisation: str | None,
        create: bool,
        email: str,
        **options: object,
    ) -> None:
        org = None
        if role == "recruiter":
            if not organisation:
                raise CommandError("a recruiter joins an organisation: give --organisation NAME")
            org = Organisation.objects.filter(name=organisation).first()
            if org is None:
                if not create:
                    raise CommandError(f"no organisation {organisation!r} (add --create to make it)")
                slug = slugify(organisation)[:60] or "organisation"
                if Organisation.objects.filter(slug=slug).exists():
                    raise CommandError(f"another organisation already uses the slug {slug!r}")
                org = Organisation.objects.create(name=organisation, slug=slug)
        invitation = Invitation.objects.create(role=role, organisation=org, email=email)
        self.stdout.write(f"code: {invitation.token}")
        self.stdout.write(f"sign up at: {invitation_link(invitation)}")
        if email:
            invitation_send(invitation)
            self.stdout.write(f"emailed to {email}")
        self.stdout.write(f"valid until {invitation.expires_at:%Y-%m-%d}; it works once")
