"""The Qt layer: thin views over ``refmanager.core``."""
