"""The registry: plans, programmes, regions and projects — list, detail, create, edit, delete, seed."""
