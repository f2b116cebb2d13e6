"""What a force's IT team runs the portal with: metrics, logs, `tmc check`."""
