"""Intake intelligence: category classifier, petition-type rules, repeat detection, hot issues."""
