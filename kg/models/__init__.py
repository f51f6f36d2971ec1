"""Trained weights shipped with kg (relation classifier, mention typer); see ``kg.extract.train``."""
