"""Events sent to other systems (docs/outgoing-webhooks.md): found in the store (`announce`),
then posted to each receiver, signed in the Standard Webhooks format, with retries (`send`)."""

from jobs.webhooks_out.announce import announce
from jobs.webhooks_out.send import SendReport, send_due

__all__ = ["SendReport", "announce", "send_due"]
