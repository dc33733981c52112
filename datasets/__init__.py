"""The bundled China-Europe Railway Express dataset (CSV files shipped as package data)."""
