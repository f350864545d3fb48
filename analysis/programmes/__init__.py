"""Programme analyses: each module derives a programme's analysis tables and builds its findings."""
