"""Declarative ModelViews and REST APIs; registered by app.menu, never on import."""
