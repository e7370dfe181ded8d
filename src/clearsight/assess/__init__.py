"""Assessment: accounts and roles, the audit chain, and (to come) grading and review."""
