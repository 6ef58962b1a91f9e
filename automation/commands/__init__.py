"""The work of the commands that are more than one call into the library."""
