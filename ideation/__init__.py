"""ideation: recruit, facilitate and make sense of consumer ideation sessions."""

__version__ = "0.1.0"
