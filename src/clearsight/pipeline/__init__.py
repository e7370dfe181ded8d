"""The scan pipeline: stages over items, executors that run them, and the driver that stores them."""
