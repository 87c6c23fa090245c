"""Is the candidate no worse than live? Paired statistics and the verdict, shared by the shadow
report and the retrain gate so that both judge "worse" the same way (README.md)."""
