from django.core.management import BaseCommand, CommandError

from rehab.services import strava


class Command(BaseCommand):
    help = (
        "Strava's push subscription (one per API application): `create CALLBACK_URL` asks Strava to send new "
        "activities to CALLBACK_URL (this site's /strava/webhook/; Strava checks it at once with "
        "STRAVA_VERIFY_TOKEN, so the site must be running there), `show` lists it, `delete [ID]` removes it. "
        "Put the id it prints in STRAVA_SUBSCRIPTION_ID to ignore events of any other subscription."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "show", "delete"])
        parser.add_argument("target", nargs="?", help="create: the callback URL; delete: the subscription id")

    def handle(self, *args, action: str, target: str | None, **options):
        if not strava.enabled():
            raise CommandError("The Strava connection is off: set STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET.")
        try:
            if action == "create":
                if not target or not target.startswith("https://"):
                    raise CommandError(
                        "create needs the webhook's public https:// URL, ending /strava/webhook/."
                    )
                subscription = strava.subscription_create(callback_url=target)
                self.stdout.write(f"Subscription {subscription.id} created for {target}.")
            elif action == "show":
                subscriptions = strava.subscription_list()
                for subscription in subscriptions:
                    self.stdout.write(f"Subscription {subscription.id}: {subscription.callback_url}")
                self.stdout.write(f"{len(subscriptions)} subscription(s).")
            else:
                ids = [int(target)] if target else [row.id for row in strava.subscription_list()]
                for subscription_id in ids:
                    strava.subscription_delete(subscription_id=subscription_id)
                    self.stdout.write(f"Subscription {subscription_id} deleted.")
                self.stdout.write(f"{len(ids)} subscription(s) deleted.")
        except ValueError:
            raise CommandError("delete takes the subscription's number.") from None
        except (strava.StravaError, strava.StravaUnavailable, strava.StravaRateLimited) as error:
            raise CommandError(f"Strava refused: {error}") from None
