"""Events: planning, invitation lists, invitations and answers, attendance, statistics, calendar files."""
