"""List the versions of a model with their metrics, or roll the serving one back."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from search.indexing.artifacts import DOMAIN, PERSONAL, RERANKER, NothingToRollBack, rollback, versions


class Command(BaseCommand):
    help = "List model versions (serving, older, rejected, rolled back) or --rollback to the previous one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", choices=[PERSONAL, RERANKER, DOMAIN], default=PERSONAL)
        parser.add_argument("--rollback", action="store_true", help="stop serving the newest version")
        parser.add_argument("--json", action="store_true", help="one JSON line per version")

    def handle(self, *args: object, **o: Any) -> None:
        name = o["name"]
        if o["rollback"]:
            try:
                old, now = rollback(name)
            except NothingToRollBack as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"{name}: {old} rolled back; now serving {now}")
            return
        rows = versions(name)
        if not rows:
            self.stdout.write(f"no {name} model trained on this machine (the shipped one, if any, serves)")
        for row in rows:
            if o["json"]:
                self.stdout.write(json.dumps(row))
                continue
            m = row["metrics"]
            auc = f"held-out AUC {m['auc_candidate']} (serving then {m['auc_serving']})" if "auc_candidate" in m else ""
            self.stdout.write(f"{row['version']:<36} {row['state']:<12} {auc}")
