"""Issues: discrepancies a run found, their lifecycle and how they are read."""
