"""Mail: the database outbox, its SMTP delivery and the editable mail texts."""
