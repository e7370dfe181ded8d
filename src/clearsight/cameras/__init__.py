"""Sensor fingerprints (PRNU) of seized cameras, and linking images to the camera that took them."""
