"""Daily digests: the pick, the timing, the scheduler, and the subscriptions' store with its migrations."""
