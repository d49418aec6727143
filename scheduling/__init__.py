"""Register the project's recurring django-q2 schedules after each migrate."""
