"""The cockpit: the web app for admins, mentors and trainees (docs/cockpit.md)."""
