"""What the jobs know of Odoo, one module per app, in the manner of OCA/connector's backend
adapters: `elearning`, `surveys`, `events`, `recruitment`, `contacts` (partners, users, portal)
and `mail` (messages, attachments, To-Dos). Each holds its app's model and field names, its
typed reads (streams and look-ups) and the builders of the outbox writes that touch it; `reads`
holds what they share. Nothing else in `jobs/` spells an Odoo model or field name, and
`jobs.preflight` checks exactly what these modules read and write (`NEEDS`)."""
