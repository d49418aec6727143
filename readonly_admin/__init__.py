"""The admin base for records people read but never edit by hand."""
